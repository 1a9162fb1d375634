import { useEffect, useState } from 'react';
import { fetchInstanceInfo, fetchReadiness, type InstanceInfo, type Readiness } from './api.ts';
import { initialLocale, messages, otherLocale, storeLocale, type Locale, type Messages } from './i18n.ts';

/** How often the service status is checked again while the page is open. */
const statusPollMs = 30_000;

type InstanceState = { status: 'loading' } | { status: 'loaded'; info: InstanceInfo } | { status: 'failed' };

interface ReadinessState {
  /** Undefined until the first answer. */
  result: Readiness | 'unreachable' | undefined;
  checkedAt: Date | undefined;
}

/** The placeholder page of Bureau: who runs this instance, whether it is up, and what is coming. */
export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [round, setRound] = useState(0);
  const instance = useInstanceInfo(round);
  const readiness = useReadiness(round);
  const t = messages[locale];
  const instanceName = instance.status === 'loaded' ? instance.info.name : undefined;

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    document.title = instanceName ? `${t.productName} – ${instanceName}` : t.productName;
  }, [t, instanceName]);

  useEffect(() => {
    const timer = window.setInterval(() => setRound((current) => current + 1), statusPollMs);
    return () => window.clearInterval(timer);
  }, []);

  function switchLocale(next: Locale): void {
    storeLocale(next);
    setLocale(next);
  }

  return (
    <>
      <a className="skip-link" href="#content">
        {t.skipToContent}
      </a>
      <Header t={t} locale={locale} instance={instance} onSwitchLocale={switchLocale} />
      <main id="content" className="main" tabIndex={-1}>
        <div className="container">
          <Welcome t={t} />
          <div className="panels">
            <ServiceStatus
              t={t}
              locale={locale}
              readiness={readiness}
              onRefresh={() => setRound((current) => current + 1)}
            />
            <TechnicalLinks t={t} />
          </div>
        </div>
      </main>
      <Footer t={t} instance={instance} />
    </>
  );
}

function Header(props: {
  t: Messages;
  locale: Locale;
  instance: InstanceState;
  onSwitchLocale: (locale: Locale) => void;
}) {
  const { t, instance } = props;
  const next = otherLocale(props.locale);
  return (
    <header className="header">
      <div className="container header__body">
        <div className="brand">
          <p className="brand__logo" lang="fr">
            République
            <br />
            Française
          </p>
          <div className="brand__service">
            <a className="brand__title" href="/">
              {t.productName}
              <span className="visually-hidden"> – {t.productTagline}</span>
            </a>
            <p className="brand__tagline">
              {instance.status === 'loaded' && instance.info.name}
              {instance.status === 'loading' && <span className="muted">{t.loading}</span>}
              {instance.status === 'failed' && t.productTagline}
            </p>
          </div>
        </div>
        <div className="header__tools">
          <button
            type="button"
            className="button button--secondary language-button"
            lang={next}
            onClick={() => props.onSwitchLocale(next)}
          >
            {/* The visible label starts the accessible name (WCAG 2.5.3), the hidden part says what it does. */}
            {messages[next].languageName}
            <span className="visually-hidden"> – {messages[next].switchToThisLanguage}</span>
          </button>
        </div>
      </div>
    </header>
  );
}

function Welcome({ t }: { t: Messages }) {
  const services = [
    { key: 'chat', title: t.chatTitle, text: t.chatText },
    { key: 'documents', title: t.documentsTitle, text: t.documentsText },
    { key: 'albert', title: t.albertTitle, text: t.albertText },
  ];
  return (
    <>
      <section className="welcome" aria-labelledby="welcome-title">
        <h1 id="welcome-title">{t.welcomeTitle}</h1>
        <p className="lead">{t.welcomeIntro}</p>
        <p>{t.welcomeSetup}</p>
      </section>
      <section aria-labelledby="coming-title">
        <h2 id="coming-title">{t.comingTitle}</h2>
        <ul className="cards">
          {services.map((service) => (
            <li key={service.key} className="card">
              <h3 className="card__title">{service.title}</h3>
              <p>{service.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function ServiceStatus(props: { t: Messages; locale: Locale; readiness: ReadinessState; onRefresh: () => void }) {
  const { t, readiness } = props;
  const { result, checkedAt } = readiness;
  const kind =
    result === undefined ? 'pending' : result === 'ready' ? 'ok' : result === 'not_ready' ? 'warning' : 'error';
  const text =
    result === undefined
      ? t.statusChecking
      : result === 'ready'
        ? t.statusReady
        : result === 'not_ready'
          ? t.statusNotReady
          : t.statusUnreachable;
  const time = checkedAt
    ? new Intl.DateTimeFormat(props.locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(checkedAt)
    : undefined;
  return (
    <section className="panel" aria-labelledby="status-title">
      <h2 id="status-title">{t.statusTitle}</h2>
      {/* Only the status sentence is live: the check time changes on each poll and is not announced. */}
      <p role="status" className={`status status--${kind}`}>
        <span className="status__dot" aria-hidden="true" />
        {text}
      </p>
      {time !== undefined && checkedAt !== undefined && (
        <p className="muted">
          <time dateTime={checkedAt.toISOString()}>{t.statusCheckedAt(time)}</time>
        </p>
      )}
      <button type="button" className="button" onClick={props.onRefresh}>
        {t.statusRefresh}
      </button>
    </section>
  );
}

function TechnicalLinks({ t }: { t: Messages }) {
  return (
    <section className="panel" aria-labelledby="technical-title">
      <h2 id="technical-title">{t.technicalTitle}</h2>
      <p>{t.technicalText}</p>
      <ul className="links">
        <li>
          <a href="/api/docs">{t.apiDocsLink}</a> <code>/api/docs</code>
        </li>
        <li>
          <a href="/healthz">{t.healthLink}</a> <code>/healthz</code>
        </li>
      </ul>
    </section>
  );
}

function Footer({ t, instance }: { t: Messages; instance: InstanceState }) {
  return (
    <footer className="footer">
      <div className="container footer__body">
        <p className="footer__brand">
          <strong>{t.productName}</strong>
          {instance.status === 'loaded' && <> – {instance.info.name}</>}
        </p>
        <nav aria-label={t.footerLinks}>
          <ul className="footer__links">
            <li>
              <a href="/api/docs">{t.apiDocsLink}</a>
            </li>
            <li>
              <a href="/healthz">{t.healthLink}</a>
            </li>
          </ul>
        </nav>
        {instance.status === 'loaded' && <p className="muted">{t.version(instance.info.version)}</p>}
        {instance.status === 'failed' && <p className="muted">{t.instanceUnavailable}</p>}
      </div>
    </footer>
  );
}

/** Loads `/api/instance`, again on each round until it succeeds. */
function useInstanceInfo(round: number): InstanceState {
  const [state, setState] = useState<InstanceState>({ status: 'loading' });
  const loaded = state.status === 'loaded';
  useEffect(() => {
    if (loaded) return;
    const controller = new AbortController();
    fetchInstanceInfo(controller.signal).then(
      (info) => {
        if (!controller.signal.aborted) setState({ status: 'loaded', info });
      },
      () => {
        if (!controller.signal.aborted) setState({ status: 'failed' });
      },
    );
    return () => controller.abort();
  }, [round, loaded]);
  return state;
}

/** Checks `/readyz` on each round; keeps the last answer while the next check runs. */
function useReadiness(round: number): ReadinessState {
  const [state, setState] = useState<ReadinessState>({ result: undefined, checkedAt: undefined });
  useEffect(() => {
    const controller = new AbortController();
    fetchReadiness(controller.signal).then(
      (result) => {
        if (!controller.signal.aborted) setState({ result, checkedAt: new Date() });
      },
      () => {
        if (!controller.signal.aborted) setState({ result: 'unreachable', checkedAt: new Date() });
      },
    );
    return () => controller.abort();
  }, [round]);
  return state;
}
