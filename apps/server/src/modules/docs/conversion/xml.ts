/** `text` escaped for an XML (or HTML) text node or a double-quoted attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => {
    switch (character) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

export const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
