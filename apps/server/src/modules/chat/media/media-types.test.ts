import { describe, expect, it } from 'vitest';
import { parseRange } from './media.routes.ts';
import {
  contentDisposition,
  contradictsDeclaredType,
  isServedInline,
  normaliseContentType,
  sniffImage,
} from './media-types.ts';
import { thumbnailTarget } from './thumbnails.ts';

const bytes = (...values: Array<number | string>) =>
  Buffer.concat(values.map((value) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.of(value))));

describe(normaliseContentType.name, () => {
  it('keeps valid media types, normalised, and stores anything else as application/octet-stream', () => {
    expect(normaliseContentType('image/PNG')).toBe('image/png');
    expect(normaliseContentType('Text/Plain ; Charset=UTF-8')).toBe('text/plain; charset=UTF-8');
    expect(normaliseContentType('text/plain; name="a; b"')).toBe('text/plain; name="a; b"');
    expect(normaliseContentType('text/plain;')).toBe('text/plain');
    for (const malformed of [
      undefined,
      '',
      'png',
      'image/',
      '/png',
      'image/png x',
      'text/plain; charset',
      'a/b; c="d',
    ]) {
      expect(normaliseContentType(malformed), String(malformed)).toBe('application/octet-stream');
    }
    expect(normaliseContentType(`text/plain; x=${'a'.repeat(300)}`)).toBe('application/octet-stream');
  });
});

describe(sniffImage.name, () => {
  it('recognises the signatures of PNG, JPEG, GIF and WebP', () => {
    expect(sniffImage(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0))).toBe('png');
    expect(sniffImage(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffImage(bytes('GIF89a'))).toBe('gif');
    expect(sniffImage(bytes('RIFF', 0, 0, 0, 0, 'WEBP'))).toBe('webp');
    expect(sniffImage(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBeUndefined();
    expect(sniffImage(bytes('<svg'))).toBeUndefined();
  });
});

describe(contradictsDeclaredType.name, () => {
  it('refuses a declared raster image type whose bytes are of another kind, and checks no other type', () => {
    const gif = bytes('GIF87a', 0, 0, 0, 0, 0, 0);
    expect(contradictsDeclaredType('image/gif', gif)).toBeUndefined();
    expect(contradictsDeclaredType('image/png', gif)).toContain('GIF');
    expect(contradictsDeclaredType('image/jpeg', bytes('<html>'))).toContain('not a JPEG');
    expect(contradictsDeclaredType('application/octet-stream', gif)).toBeUndefined();
    expect(contradictsDeclaredType('image/svg+xml', bytes('<svg>'))).toBeUndefined();
  });
});

describe(isServedInline.name, () => {
  it('serves raster images, audio, video, plain text and PDF inline, and nothing else', () => {
    for (const type of [
      'image/png',
      'image/jpeg; q=1',
      'video/mp4',
      'audio/ogg',
      'text/plain; charset=utf-8',
      'application/pdf',
    ]) {
      expect(isServedInline(type), type).toBe(true);
    }
    for (const type of [
      'image/svg+xml',
      'text/html',
      'text/javascript',
      'application/xhtml+xml',
      'application/octet-stream',
    ]) {
      expect(isServedInline(type), type).toBe(false);
    }
  });
});

describe(contentDisposition.name, () => {
  it('gives an ASCII file name, and a UTF-8 one as well when it is not plain ASCII (RFC 6266)', () => {
    expect(contentDisposition('inline', undefined)).toBe('inline');
    expect(contentDisposition('attachment', 'report.pdf')).toBe('attachment; filename="report.pdf"');
    expect(contentDisposition('attachment', 'Été "2026".pdf')).toBe(
      `attachment; filename="_t_ _2026_.pdf"; filename*=UTF-8''%C3%89t%C3%A9%20%222026%22.pdf`,
    );
    expect(contentDisposition('inline', "l'avis (1).txt")).toBe(`inline; filename="l'avis (1).txt"`);
  });
});

describe(thumbnailTarget.name, () => {
  it("uses the spec's recommended sizes when they cover the request, else rounds each side up to a step", () => {
    expect(thumbnailTarget(32, 32, 'crop')).toEqual({ width: 32, height: 32, method: 'crop' });
    expect(thumbnailTarget(40, 40, 'crop')).toEqual({ width: 96, height: 96, method: 'crop' });
    expect(thumbnailTarget(60, 30, 'crop')).toEqual({ width: 64, height: 32, method: 'crop' });
    expect(thumbnailTarget(300, 200, 'scale')).toEqual({ width: 320, height: 240, method: 'scale' });
    expect(thumbnailTarget(320, 300, 'scale')).toEqual({ width: 640, height: 480, method: 'scale' });
    expect(thumbnailTarget(1000, 700, 'scale')).toEqual({ width: 1024, height: 768, method: 'scale' });
    expect(thumbnailTarget(9000, 9000, 'scale')).toEqual({ width: 2048, height: 2048, method: 'scale' });
  });
});

describe(parseRange.name, () => {
  it('reads one byte range, serves the whole file for what it does not understand, and spots unsatisfiable ones', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=2-5', 10)).toEqual({ start: 2, end: 5 });
    expect(parseRange('bytes=7-', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
  });
});
