// ESLint for the whole monorepo (`pnpm lint`): typescript-eslint's strict and stylistic rules with
// type information for the TypeScript of every package (src/ and tests, through each package's
// tsconfig.json), the recommended rules for the JavaScript (scripts, benches, configs).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/', '**/node_modules/', '**/.turbo/', 'tarballs/', 'coverage/', 'fixtures/'] },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // noUncheckedIndexedAccess makes every indexed read optional; `!` after a bounds or length
      // check is the deliberate idiom of the hot loops (interpreter, crypto, parsers).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and bigints (addresses, lengths, registers) are formatted in messages all the time.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `return accepted();` (a completion typed `undefined`) and `() => resolve()` are the
      // deliberate early-exit and callback idioms of the VMM, the UV calls and the pools.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // The interpreter unwinds an instruction by throwing these (program interruption, a page
      // access the host must complete, an interception): deliberately not Errors, so no stack is
      // captured on that hot path.
      '@typescript-eslint/only-throw-error': ['error', { allow: [{ from: 'file', name: ['ProgramException', 'PageAccessStop', 'InterceptionRequest'] }] }],
      // `const { dropped: _, ...rest } = x` leaves out a field on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `x === undefined || x.kind !== 'secure'` states the undefined case the spec's condition
      // has; `x?.kind !== 'secure'` hides it.
      '@typescript-eslint/prefer-optional-chain': 'off',
      // Async implementations of Promise-returning interfaces (fuzz targets, commands) need no await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // Tests read command output with JSON.parse (`any`) and assert on it with expect().
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
