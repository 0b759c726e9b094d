/**
 * Plain decimal or scientific notation, nothing else (Number() also takes '', '0x1f', 'Infinity'
 * and whitespace). One way to match each input: `\d+\.?\d*` would let the engine try every split
 * of a long digit run before failing, quadratic on a long cell that ends in a letter.
 */
export const NUMBER_SYNTAX = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
