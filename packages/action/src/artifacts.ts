import * as core from '@actions/core';

/**
 * Uploads files as a workflow artifact. A failed upload is a warning, not a failure: the stage's
 * own verdict must not change because the artifact service was unreachable.
 */
export async function uploadArtifact(name: string, files: string[], rootDir: string): Promise<boolean> {
  try {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const { id, size } = await client.uploadArtifact(name, files, rootDir, { retentionDays: 30 });
    core.info(`uploaded artifact '${name}' (${files.length} file(s), ${size ?? '?'} bytes, id ${id ?? '?'})`);
    return true;
  } catch (err) {
    core.warning(`could not upload artifact '${name}': ${(err as Error).message}`);
    return false;
  }
}
