export { main, COMMANDS } from './main.js';
export type { Command } from './command.js';
