import type { MatrixClient } from 'matrix-js-sdk';
import { useMediaUrl } from './media.ts';

/** Initials of a name: the first letter of its first two words ("Claire Martin" → "CM"). */
export function initialsOf(name: string): string {
  const words = name
    .replace(/^[@#!]/, '')
    .split(/[\s._-]+/)
    .filter((word) => word.length > 0);
  const letters = words.slice(0, 2).map((word) => Array.from(word)[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** One of six DSFR illustration colours, the same for a person everywhere. */
function colourOf(seed: string): number {
  let hash = 0;
  for (const character of seed) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return (hash % 6) + 1;
}

/**
 * A person's or a room's picture, or its initials on a colour. Decorative: the name is always written
 * next to it, so it is hidden from assistive technologies.
 */
export function Avatar({
  client,
  name,
  seed,
  mxc,
  size = 'md',
}: {
  client: MatrixClient;
  name: string;
  /** What the colour is derived from (the Matrix ID), so that it does not change with the name. */
  seed: string;
  mxc?: string | null;
  size?: 'sm' | 'md';
}) {
  const picture = useMediaUrl(client, mxc ?? undefined, { width: 64, height: 64 });
  const className = `bureau-chat-avatar bureau-chat-avatar--${size} bureau-chat-avatar--c${colourOf(seed)}`;
  if (picture.url) {
    return <img className={className} src={picture.url} alt="" aria-hidden="true" />;
  }
  return (
    <span className={className} aria-hidden="true">
      {initialsOf(name)}
    </span>
  );
}
