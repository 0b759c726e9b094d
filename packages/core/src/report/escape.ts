/**
 * Everything that comes from users or data (metric, column and slice names, slice values, test
 * names, error messages, model names) passes through here before it reaches a comment. A PR
 * comment is posted with the repository's token, so a crafted slice value must not be able to
 * ping a team, open a link, load an image or break the table it sits in.
 */

const ZWSP = '\u200b';

/** Renders `text` as inert inline markdown: safe in a table cell and in prose. */
export function escapeMarkdown(text: unknown): string {
  let s = String(text ?? '');
  // Control characters (other than newlines) have no place in a comment and can hide content.
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  // Mentions, issue references and bare URLs first, before entities (which contain `#` + digits)
  // are introduced. GitHub resolves mentions after decoding entities, so the token itself is
  // broken with a zero-width space; bare URLs would otherwise be autolinked.
  s = s
    .replace(/@/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
  s = s
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '&#96;')
    // Entities rather than backslashes: `\](http` would still contain the link syntax verbatim.
    .replace(/\[/g, '&#91;')
    .replace(/\]/g, '&#93;')
    .replace(/[*~$]/g, (c) => `\\${c}`)
    // Intraword underscores (roc_auc) never start emphasis in GFM; only escape the others.
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'));
  s = s.replace(/^([!#+-])/, '\\$1');
  return s.replace(/\r\n|\r|\n/g, '<br>');
}

/** Wraps an already escaped value in a code-like span without using backticks. */
export function inlineCode(text: unknown): string {
  return `<code>${escapeMarkdown(text)}</code>`;
}

/**
 * Labels inside a ```mermaid block: the markdown escaping above does not apply there (the block
 * is code), but a quote would end the label and a backtick line would end the fence.
 */
export function escapeMermaidLabel(text: unknown, maxLength = 40): string {
  let s = String(text ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/`/g, '#96;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[[\]{}]/g, (c) => `#${c.charCodeAt(0)};`)
    // Code blocks do not notify, but the text is copied around; keep it inert everywhere.
    .replace(/@/g, `@${ZWSP}`);
  if (s.length > maxLength) s = `${s.slice(0, maxLength - 1)}…`;
  return `"${s}"`;
}

/** Terminal output: strip escape sequences and control characters so data cannot drive the tty. */
export function sanitizeTerminal(text: unknown): string {
  return (
    String(text ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
      .replace(/\r?\n/g, ' ')
  );
}

/**
 * The hidden first line that identifies a report comment. The key is user input and lives inside
 * an HTML comment, so anything that could close the comment (`-->`, `--!>`) is percent-encoded.
 */
export function reportMarker(key = 'default'): string {
  const safe = encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/-/g, '%2D');
  return `<!-- mlops-actions:report key=${safe} -->`;
}
