// Builds the web client into dist/ (or --outdir DIR): exactly index.html, app.js and app.css,
// minified, no hashes, no sourcemaps. The output depends only on the sources and the locked
// dependency versions, so two builds are byte-identical (check-fresh.sh relies on that).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const argIndex = process.argv.indexOf('--outdir');
const outdir = resolve(argIndex > 0 ? process.argv[argIndex + 1] : join(root, 'dist'));

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.tsx' },
  outdir,
  entryNames: '[name]',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'edge100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: false,
  legalComments: 'none',
  charset: 'ascii',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

// index.html: drop line breaks and indentation between tags; nothing in it is whitespace-sensitive.
const html = readFileSync(join(root, 'src/index.html'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .join('');
writeFileSync(join(outdir, 'index.html'), `${html}\n`);

const files = readdirSync(outdir).sort();
const expected = ['app.css', 'app.js', 'index.html'];
if (files.join() !== expected.join()) {
  console.error(`build: expected ${expected.join(', ')} in ${outdir}, found ${files.join(', ')}`);
  process.exit(1);
}
