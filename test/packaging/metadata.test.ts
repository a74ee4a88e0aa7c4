/**
 * What the registry shows about the package agrees with the documents: the repository that the
 * changelog links to, the README's install line, and a `prepack` that builds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../docs/markdown-examples.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  dependencies: Record<string, string>;
};

describe('package.json', () => {
  it("names the repository the changelog's links point to", () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    const links = [...changelog.matchAll(/https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\//g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    const repository = /github\.com\/([\w.-]+\/[\w.-]+?)(\.git)?$/.exec(pkg.repository.url)?.[1];
    for (const link of links) expect(link).toBe(repository);
    expect(pkg.repository.type).toBe('git');
    expect(pkg.homepage).toContain(repository);
    expect(pkg.bugs.url).toContain(repository);
  });

  it('builds before packing, so a clean clone publishes dist/', () => {
    expect(pkg.scripts['prepack']).toBe('npm run build');
  });

  it('keeps OpenTelemetry an optional peer, never a dependency', () => {
    expect(pkg.peerDependencies['@opentelemetry/api']).toBeDefined();
    expect(pkg.peerDependenciesMeta['@opentelemetry/api']?.optional).toBe(true);
    expect(Object.keys(pkg.dependencies)).toEqual(['google-auth-library']);
  });

  it('is installed the way the README says', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`npm install ${pkg.name}`);
    expect(readme).toContain(`npx ${pkg.name} `);
  });
});
