import { PageFrame } from '../../app/states.tsx';
import { useMessages, type Dictionary } from '../../i18n.tsx';

const messages: Dictionary<{ title: string; status: string; text: string }> = {
  fr: {
    title: 'Accessibilité',
    status: 'État de conformité : non conforme.',
    text: 'Bureau n’a pas encore fait l’objet d’un audit RGAA. Chaque page est vérifiée automatiquement (axe-core, WCAG 2.1 AA) en thème clair et sombre, et conçue avec le Système de design de l’État. Signalez toute difficulté à votre administrateur.',
  },
  en: {
    title: 'Accessibility',
    status: 'Compliance status: not compliant.',
    text: 'Bureau has not had an RGAA audit yet. Every page is checked automatically (axe-core, WCAG 2.1 AA) in light and dark themes, and built with the French State design system. Report any difficulty to your administrator.',
  },
};

/** The accessibility statement the DSFR footer links to. */
export function AccessibilityPage() {
  const t = useMessages(messages);
  return (
    <PageFrame title={t.title}>
      <p>
        <strong>{t.status}</strong>
      </p>
      <p>{t.text}</p>
    </PageFrame>
  );
}
