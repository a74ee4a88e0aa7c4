import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const OUT = fileURLToPath(new URL('./results/tmp/', import.meta.url));
const built = new Map<string, Promise<string>>();

/**
 * A child-process script of the bench, compiled once into one file under bench/results/tmp/ (inside
 * the repository, so that its node_modules resolve; git ignores the folder). Dozens of processes each
 * compiling TypeScript through tsx at start-up took a minute of a 2-core machine; a bundle starts in
 * a tenth of a second. Run it with `node <file> …`.
 */
export function bundled(entry: URL): Promise<string> {
  const source = fileURLToPath(entry);
  let file = built.get(source);
  if (!file) {
    const outfile = `${OUT}${basename(source).replace(/\.ts$/, '.mjs')}`;
    file = build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    }).then(() => outfile);
    built.set(source, file);
  }
  return file;
}
