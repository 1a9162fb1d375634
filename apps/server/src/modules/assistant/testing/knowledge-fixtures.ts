/**
 * Small sources in the official formats, for the importers' tests: service-public `Publication` XML
 * (schema 3.x, as the DILA feed ships it), a LEGI code tree as `@socialgouv/legi-data` ships it, and
 * travail-emploi fiches as `@socialgouv/fiches-travail-data` ships them.
 */
export interface FicheFixture {
  readonly id: string;
  readonly type: 'Fiche pratique' | 'Question-réponse' | 'Comment faire si...' | 'Dossier';
  readonly title: string;
  readonly audience?: 'Particuliers' | 'Professionnels' | 'Associations';
  readonly description?: string;
  readonly date?: string;
  readonly theme?: string;
  /** Chapters: a title and paragraphs. */
  readonly chapters?: ReadonlyArray<{ readonly title: string; readonly paragraphs: readonly string[] }>;
  readonly relatedQuestions?: ReadonlyArray<{ readonly id: string; readonly text: string }>;
  readonly acronyms?: ReadonlyArray<{ readonly short: string; readonly long: string }>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function servicePublicXml(fiche: FicheFixture): string {
  const audience = fiche.audience ?? 'Particuliers';
  const chapters = (fiche.chapters ?? [])
    .map(
      (chapter) =>
        `<Chapitre><Titre><Paragraphe>${escape(chapter.title)}</Paragraphe></Titre>${chapter.paragraphs
          .map((paragraph) => `<Paragraphe>${escape(paragraph)}</Paragraphe>`)
          .join('')}</Chapitre>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${fiche.id}" type="Fiche d'information" xsi:noNamespaceSchemaLocation="../Schemas/3.4/Publication.xsd" spUrl="https://www.service-public.fr/${audience.toLowerCase()}/vosdroits/${fiche.id}">
  <dc:title>${escape(fiche.title)}</dc:title>
  <dc:creator>Direction de l'information légale et administrative</dc:creator>
  <dc:subject>${escape(fiche.theme ?? 'Papiers - Citoyenneté')}</dc:subject>
  <dc:description>${escape(fiche.description ?? '')}</dc:description>
  <dc:date>modified ${fiche.date ?? '2026-01-15'}</dc:date>
  <dc:type>${escape(fiche.type)}</dc:type>
  <dc:format>text/xml</dc:format>
  <dc:identifier>${fiche.id}</dc:identifier>
  <dc:language>Fr</dc:language>
  <SurTitre>${escape(fiche.type)}</SurTitre>
  <Audience>${audience}</Audience>
  <Canal>www.service-public.fr</Canal>
  <FilDAriane>
    <Niveau ID="${audience}">Accueil ${audience.toLowerCase()}</Niveau>
    <Niveau ID="N19810">${escape(fiche.theme ?? 'Papiers - Citoyenneté')}</Niveau>
    <Niveau ID="${fiche.id}" type="Fiche d'information">${escape(fiche.title)}</Niveau>
  </FilDAriane>
  <Theme ID="N19810"><Titre>${escape(fiche.theme ?? 'Papiers - Citoyenneté')}</Titre></Theme>
  <Introduction><Texte><Paragraphe>${escape(fiche.description ?? fiche.title)}</Paragraphe></Texte></Introduction>
  <Texte>${chapters}</Texte>
  <OuSAdresser ID="R1" type="Local personnalisé sur SP"><Titre>Mairie</Titre><PivotLocal>mairie</PivotLocal></OuSAdresser>
  ${(fiche.relatedQuestions ?? [])
    .map(
      (question) =>
        `<QuestionReponse ID="${question.id}" audience="${audience}">${escape(question.text)}</QuestionReponse>`,
    )
    .join('\n  ')}
  ${(fiche.acronyms ?? [])
    .map(
      (acronym, index) =>
        `<Abreviation ID="R9${index}" type="Sigle"><Titre>${escape(acronym.short)}</Titre><Texte><Paragraphe>${escape(acronym.long)}</Paragraphe></Texte></Abreviation>`,
    )
    .join('\n  ')}
</Publication>`;
}

export interface ArticleFixture {
  readonly num: string;
  readonly text: string;
  readonly etat?: 'VIGUEUR' | 'ABROGE' | 'MODIFIE';
}

/** A LEGI code tree: sections (with titles) holding articles. */
export function legiCode(
  sections: ReadonlyArray<{ readonly titles: readonly string[]; readonly articles: readonly ArticleFixture[] }>,
) {
  const root = {
    type: 'code',
    data: { cid: 'LEGITEXT000006072050', title: 'Code du travail', etat: 'VIGUEUR' },
    children: [] as unknown[],
  };
  for (const section of sections) {
    let parent = root;
    for (const title of section.titles) {
      let child = (parent.children as Array<typeof root>).find((node) => node.data.title === title);
      if (!child) {
        child = { type: 'section', data: { cid: '', title, etat: 'VIGUEUR' }, children: [] };
        parent.children.push(child);
      }
      parent = child;
    }
    for (const article of section.articles) {
      parent.children.push({
        type: 'article',
        data: {
          num: article.num,
          texte: article.text,
          etat: article.etat ?? 'VIGUEUR',
          id: `LEGIARTI${article.num.replace(/\W/g, '')}`,
          cid: `LEGIARTI${article.num.replace(/\W/g, '')}`,
          dateDebut: Date.UTC(2024, 0, 1),
        },
        children: [],
      });
    }
  }
  return root;
}

export function ficheTravail(input: {
  readonly pubId: string;
  readonly title: string;
  readonly sections: ReadonlyArray<{
    readonly title: string;
    readonly text: string;
    readonly articles?: readonly string[];
  }>;
}) {
  return {
    pubId: input.pubId,
    title: input.title,
    date: '13/11/2025',
    description: `${input.title} : ce qu’il faut savoir.`,
    intro: `<p>${input.title}</p>`,
    url: `https://travail-emploi.gouv.fr/${input.pubId}`,
    sections: input.sections.map((section, index) => ({
      anchor: `s${index}`,
      title: section.title,
      description: section.text.slice(0, 80),
      html: `<p>${section.text}</p>`,
      text: section.text,
      references: section.articles
        ? { LEGITEXT000006072050: { articles: section.articles.map((num) => ({ text: num, fmt: num })) } }
        : {},
    })),
  };
}
