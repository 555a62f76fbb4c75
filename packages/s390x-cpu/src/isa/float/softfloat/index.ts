// The BFP soft-float (PoO chapter 19): exact bigint arithmetic on short, long and extended
// patterns with one rounding routine, the six rounding methods and the IEEE exceptions.
export * from './format.js';
export * from './round.js';
export * from './arithmetic.js';
export * from './min-max.js';
export * from './divide-to-integer.js';
