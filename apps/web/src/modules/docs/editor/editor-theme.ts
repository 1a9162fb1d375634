import type { Theme } from '@blocknote/mantine';

/**
 * BlockNote's look in DSFR colours and type: its colours are DSFR's CSS variables, so that the editor
 * follows the light theme (and the dark one, when the person picks it in the display settings) with the
 * system's contrasts; Marianne is the font of the State.
 */
export const dsfrEditorTheme: Theme = {
  colors: {
    editor: { text: 'var(--text-default-grey)', background: 'var(--background-default-grey)' },
    menu: { text: 'var(--text-default-grey)', background: 'var(--background-overlap-grey)' },
    tooltip: { text: 'var(--text-inverted-grey)', background: 'var(--background-action-high-grey)' },
    hovered: { text: 'var(--text-default-grey)', background: 'var(--background-overlap-grey-hover)' },
    selected: { text: 'var(--text-inverted-blue-france)', background: 'var(--background-action-high-blue-france)' },
    disabled: { text: 'var(--text-disabled-grey)', background: 'var(--background-disabled-grey)' },
    shadow: 'var(--border-default-grey)',
    border: 'var(--border-default-grey)',
    sideMenu: 'var(--text-mention-grey)',
    highlights: {
      gray: { text: 'var(--text-mention-grey)', background: 'var(--background-alt-grey)' },
      brown: { text: 'var(--text-label-brown-caramel)', background: 'var(--background-contrast-brown-caramel)' },
      red: { text: 'var(--text-default-error)', background: 'var(--background-contrast-error)' },
      orange: { text: 'var(--text-default-warning)', background: 'var(--background-contrast-warning)' },
      yellow: {
        text: 'var(--text-label-yellow-tournesol)',
        background: 'var(--background-contrast-yellow-tournesol)',
      },
      green: { text: 'var(--text-default-success)', background: 'var(--background-contrast-success)' },
      blue: { text: 'var(--text-default-info)', background: 'var(--background-contrast-info)' },
      purple: {
        text: 'var(--text-label-purple-glycine)',
        background: 'var(--background-contrast-purple-glycine)',
      },
      pink: { text: 'var(--text-label-pink-macaron)', background: 'var(--background-contrast-pink-macaron)' },
    },
  },
  borderRadius: 4,
  fontFamily: 'Marianne, arial, sans-serif',
};
