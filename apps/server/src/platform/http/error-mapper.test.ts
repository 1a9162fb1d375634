import { describe, expect, it } from 'vitest';
import { preferredLocale } from './error-mapper.ts';

describe('preferredLocale', () => {
  it('is French when the client says nothing or asks for a language Bureau does not speak', () => {
    expect(preferredLocale(undefined)).toBe('fr');
    expect(preferredLocale('de-DE,de;q=0.9')).toBe('fr');
  });

  it('follows the quality order of Accept-Language', () => {
    expect(preferredLocale('en-US,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(preferredLocale('de;q=1, fr;q=0.5, en;q=0.7')).toBe('en');
    expect(preferredLocale('fr-FR, en;q=0.9')).toBe('fr');
    expect(preferredLocale('en;q=0, fr;q=0.1')).toBe('fr');
  });
});
