#!/usr/bin/env node
// Build step: compiles src/crypto/whiten.wat with wabt (the WebAssembly Binary Toolkit) into
// src/crypto/whiten-wasm.ts, the module's bytes as base64, so they ship inside the compiled
// JavaScript (no .wasm file to locate at run time). The file is rewritten only when it changes.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'crypto', 'whiten.wat');
const target = join(root, 'src', 'crypto', 'whiten-wasm.ts');
/** The post-MVP features the kernel uses: SIMD (v128) and threads (a shared memory). */
const features = { simd: true, threads: true };

export async function compileWhiten() {
  const wabt = await wabtInit();
  const module = wabt.parseWat('whiten.wat', readFileSync(source, 'utf8'), features);
  try {
    module.validate(features);
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

export function generatedSource(bytes) {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  return `// Generated from whiten.wat by scripts/compile-wat.mjs (wabt) when the package is built.
// The whitening kernel's WebAssembly module, ${bytes.length} bytes.
export const WHITEN_WASM_BASE64 =
${lines.map((l) => `  '${l}'`).join(' +\n')};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generatedSource(await compileWhiten());
  if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
}
