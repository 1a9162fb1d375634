import { useEffect, useId, useRef, useState } from 'react';
import { useLocale, useMessages } from '../../i18n.tsx';
import { chatMessages } from './chat.messages.ts';

/** A short list of common emoji, with their names in both languages (read instead of the picture). */
export const emojiChoices: readonly { emoji: string; fr: string; en: string }[] = [
  { emoji: '👍', fr: 'pouce levé', en: 'thumbs up' },
  { emoji: '👎', fr: 'pouce baissé', en: 'thumbs down' },
  { emoji: '😀', fr: 'visage souriant', en: 'grinning face' },
  { emoji: '😂', fr: 'larmes de joie', en: 'tears of joy' },
  { emoji: '❤️', fr: 'cœur', en: 'heart' },
  { emoji: '🎉', fr: 'fête', en: 'party popper' },
  { emoji: '🙏', fr: 'merci', en: 'thank you' },
  { emoji: '👀', fr: 'yeux', en: 'eyes' },
  { emoji: '✅', fr: 'coche', en: 'check mark' },
  { emoji: '❌', fr: 'croix', en: 'cross mark' },
  { emoji: '🤔', fr: 'visage pensif', en: 'thinking face' },
  { emoji: '😮', fr: 'surprise', en: 'surprised face' },
  { emoji: '😢', fr: 'visage triste', en: 'crying face' },
  { emoji: '👏', fr: 'applaudissements', en: 'clapping hands' },
  { emoji: '🚀', fr: 'fusée', en: 'rocket' },
  { emoji: '🔥', fr: 'feu', en: 'fire' },
  { emoji: '💡', fr: 'idée', en: 'light bulb' },
  { emoji: '⏳', fr: 'en attente', en: 'hourglass' },
];

/** The name of an emoji in the person's language, when it is one of the list. */
export function emojiName(emoji: string, locale: 'fr' | 'en'): string | undefined {
  return emojiChoices.find((choice) => choice.emoji === emoji)?.[locale];
}

/**
 * A button that opens a small grid of emoji (disclosure pattern): a click picks one and closes the grid;
 * Escape or a click outside closes it and gives the focus back to the button.
 */
export function EmojiPicker({
  label,
  onPick,
  iconClassName = 'ri-emotion-happy-line',
}: {
  /** The button's accessible name ("Réagir au message de …", "Insérer un emoji"). */
  label: string;
  onPick: (emoji: string) => void;
  iconClassName?: 'ri-emotion-happy-line' | 'ri-emotion-line';
}) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const [isOpen, setOpen] = useState(false);
  const panelId = `emoji-${useId().replaceAll(':', '')}`;
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const firstChoiceRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isOpen) return undefined;
    firstChoiceRef.current?.focus();
    function onPointerDown(event: PointerEvent): void {
      if (rootRef.current && event.target instanceof Node && !rootRef.current.contains(event.target)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [isOpen]);

  return (
    <div
      className="bureau-chat-emoji"
      ref={rootRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && isOpen) {
          event.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={`fr-btn fr-btn--tertiary-no-outline fr-btn--sm ${iconClassName}`}
        title={label}
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        {label}
      </button>
      <div id={panelId} className="bureau-chat-emoji__panel" hidden={!isOpen} role="group" aria-label={t.emojiChoice}>
        {isOpen &&
          emojiChoices.map((choice, index) => (
            <button
              key={choice.emoji}
              ref={index === 0 ? firstChoiceRef : undefined}
              type="button"
              className="bureau-chat-emoji__choice"
              title={choice[locale]}
              aria-label={choice[locale]}
              onClick={() => {
                setOpen(false);
                buttonRef.current?.focus();
                onPick(choice.emoji);
              }}
            >
              {choice.emoji}
            </button>
          ))}
      </div>
    </div>
  );
}
