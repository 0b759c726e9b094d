/** Recorded in every stage result so a result can be traced to the tool that wrote it. */
export const TOOL_NAME = 'mlops-actions' as const;
export const TOOL_VERSION = '0.1.0';

export function toolInfo(): { name: typeof TOOL_NAME; version: string; node: string } {
  return { name: TOOL_NAME, version: TOOL_VERSION, node: process.version };
}
