/**
 * Every export of `gcs-lock`, `gcs-lock/testing` and `gcs-lock/otel` has a doc comment with an `@example`, so that the
 * API reference (TypeDoc, `npm run docs`) shows each one in use.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './markdown-examples.js';

const ENTRY_POINTS = ['src/index.ts', 'src/testing/index.ts', 'src/otel/index.ts'];

function exportsLacking(): { documentation: string[]; example: string[]; count: number } {
  const files = ENTRY_POINTS.map((entry) => join(ROOT, entry));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const documentation: string[] = [];
  const example: string[] = [];
  let count = 0;
  for (const [index, file] of files.entries()) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    for (const symbol of checker.getExportsOfModule(module)) {
      count++;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const name = `${ENTRY_POINTS[index]}: ${symbol.name}`;
      if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === '')
        documentation.push(name);
      if (!target.getJsDocTags(checker).some((tag) => tag.name === 'example')) example.push(name);
    }
  }
  return { documentation, example, count };
}

describe('the API reference', () => {
  const lacking = exportsLacking();

  it('covers the public exports', () => {
    expect(lacking.count).toBeGreaterThan(30);
  });

  it('has a doc comment for every export', () => {
    expect(lacking.documentation).toEqual([]);
  });

  it('has an @example for every export', () => {
    expect(lacking.example).toEqual([]);
  });
});
