export { UsageError, UserError, writeAtomically, type Command } from './cli-support.js';
