import { stat } from 'node:fs/promises';

/** Whether anything exists at `p` (file or directory). */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
