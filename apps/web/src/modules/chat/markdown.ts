import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/** The `format` of Matrix messages whose `formatted_body` is HTML. */
export const htmlFormat = 'org.matrix.custom.html';

const marked = new Marked({ gfm: true, breaks: true });

/**
 * The HTML the Matrix specification lets clients display (client-server API, "m.room.message msgtypes",
 * m.text), without images (`mxc://` images would need the media API and are rarely sent) and without any
 * `style` or colour attribute: the page's CSP forbids inline styles.
 */
const allowedTags = [
  'del',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'p',
  'a',
  'ul',
  'ol',
  'sup',
  'sub',
  'li',
  'b',
  'i',
  'u',
  'strong',
  'em',
  's',
  'code',
  'hr',
  'br',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'caption',
  'pre',
  'span',
  'details',
  'summary',
];

const allowedSchemes = /^(?:https?|mailto):/i;
const mentionLink = /^https:\/\/matrix\.to\/#\/(@[^/?]+)/;

let isConfigured = false;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function configure(): void {
  if (isConfigured) return;
  isConfigured = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!allowedSchemes.test(href)) node.removeAttribute('href');
    }
    if (node.tagName === 'CODE') {
      const language = (node.getAttribute('class') ?? '').split(/\s+/).find((name) => name.startsWith('language-'));
      if (language) node.setAttribute('class', language);
      else node.removeAttribute('class');
    }
  });
}

/** Sanitises HTML from a message (anyone's) for display; mentions of people become highlighted names. */
export function sanitizeMessageHtml(html: string, myUserId?: string): string {
  configure();
  // The quoted fallback of replies (<mx-reply>) is replaced by Bureau's own quote of the replied message.
  const withoutFallback = html.replace(/<mx-reply>[\s\S]*?<\/mx-reply>/gi, '');
  const fragment = DOMPurify.sanitize(withoutFallback, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: ['href', 'class', 'colspan', 'rowspan', 'start'],
    RETURN_DOM_FRAGMENT: true,
  });
  for (const link of Array.from(fragment.querySelectorAll('a[href]'))) {
    const userId = mentionLink.exec(link.getAttribute('href') ?? '')?.[1];
    if (!userId) {
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer nofollow');
      continue;
    }
    const mention = document.createElement('span');
    const isMe = safeDecode(userId) === myUserId;
    mention.className = isMe ? 'bureau-chat-mention bureau-chat-mention--me' : 'bureau-chat-mention';
    mention.textContent = link.textContent;
    link.replaceWith(mention);
  }
  const container = document.createElement('div');
  container.append(fragment);
  return container.innerHTML;
}

/** Escapes Markdown's link-text characters in a display name. */
function escapeLinkText(text: string): string {
  return text.replace(/[[\]\\]/g, (character) => `\\${character}`);
}

/** A person mentioned in the composer (the name as inserted, the Matrix ID it stands for). */
export interface ComposerMention {
  userId: string;
  name: string;
}

/**
 * The content of a text message from what the person typed: `body` is the text as typed; when Markdown
 * or a mention adds formatting, `formatted_body` carries the HTML (sanitised like received HTML).
 * Mentions still present in the text become links to the person and go into `m.mentions`.
 */
export function composeTextContent(
  text: string,
  mentions: readonly ComposerMention[],
  alsoMention: readonly string[] = [],
): {
  msgtype: 'm.text';
  body: string;
  format?: string;
  formatted_body?: string;
  'm.mentions': { user_ids?: string[] };
} {
  let source = text;
  const userIds = new Set(alsoMention);
  for (const mention of mentions) {
    const index = source.indexOf(mention.name);
    if (index < 0) continue;
    userIds.add(mention.userId);
    const link = `[${escapeLinkText(mention.name)}](https://matrix.to/#/${mention.userId})`;
    source = `${source.slice(0, index)}${link}${source.slice(index + mention.name.length)}`;
  }
  const html = marked.parse(source, { async: false }).trim();
  const inner = html.replace(/^<p>/, '').replace(/<\/p>$/, '');
  const hasMarkup = /<(?!br\s*\/?>)/i.test(inner);
  const content: ReturnType<typeof composeTextContent> = {
    msgtype: 'm.text',
    body: text,
    'm.mentions': userIds.size > 0 ? { user_ids: [...userIds] } : {},
  };
  if (hasMarkup) {
    configure();
    content.format = htmlFormat;
    content.formatted_body = DOMPurify.sanitize(html, { ALLOWED_TAGS: allowedTags, ALLOWED_ATTR: ['href', 'class'] });
  }
  return content;
}
