import { describe, expect, it } from 'vitest';
import { createPseudonymiser, type Pseudonymiser } from './pseudonymisation.ts';

// A NIR whose key is right (97 − 1850578006084 mod 97 = 91), and Corsican ones (2A counts as 19, 2B as 18).
const nir = '1 85 05 78 006 084 91';
const corsicanNir = '2 85 05 2A 006 084 82';
const otherCorsicanNir = '269042B12345602';
// Published example IBANs whose mod-97 check passes (BE68 5390 0754 7034 is used below too).
const frenchIban = 'FR76 3000 6000 0112 3456 7890 189';
const germanIban = 'DE89370400440532013000';

/** Pseudonymises the text, checks it restores exactly, and returns the pseudonymised form. */
function roundTrip(sut: Pseudonymiser, text: string): string {
  const pseudonymised = sut.pseudonymise(text);
  expect(sut.restore(pseudonymised)).toBe(text);
  return pseudonymised;
}

function streamed(sut: Pseudonymiser, chunks: readonly string[]): string {
  const restorer = sut.createStreamRestorer();
  return chunks.map((chunk) => restorer.push(chunk)).join('') + restorer.flush();
}

function elapsedMilliseconds(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe(createPseudonymiser.name, () => {
  describe('detection', () => {
    it('replaces e-mail addresses and restores them', () => {
      const sut = createPseudonymiser();
      const text = 'Merci d’écrire à claire.martin+dossier@interieur.gouv.fr (ou à c.martin@mairie-lyon.fr).';

      expect(roundTrip(sut, text)).toBe('Merci d’écrire à [EMAIL_1] (ou à [EMAIL_2]).');
    });

    it('replaces French phone numbers in every usual spelling', () => {
      const sut = createPseudonymiser();
      const text =
        'Joignable au 06 12 34 56 78, au 01.45.67.89.10, au 01-45-67-89-11, au 0145678912, ' +
        'au +33 1 45 67 89 13, au +33 (0)1 45 67 89 14, au +33145678915 ou au 0033 1 45 67 89 16.';

      expect(roundTrip(sut, text)).toBe(
        'Joignable au [TELEPHONE_1], au [TELEPHONE_2], au [TELEPHONE_3], au [TELEPHONE_4], ' +
          'au [TELEPHONE_5], au [TELEPHONE_6], au [TELEPHONE_7] ou au [TELEPHONE_8].',
      );
    });

    it('takes a phone number written with non-breaking spaces', () => {
      const sut = createPseudonymiser();

      expect(roundTrip(sut, 'Tél. : 06\u00A012\u00A034\u00A056\u00A078')).toBe('Tél. : [TELEPHONE_1]');
    });

    it('replaces a NIR with a valid key, spaced or not, Corsican departments included', () => {
      const sut = createPseudonymiser();
      const text = `NIR de l’agent : ${nir}. Ses enfants : ${corsicanNir} et ${otherCorsicanNir}.`;

      expect(roundTrip(sut, text)).toBe('NIR de l’agent : [NIR_1]. Ses enfants : [NIR_2] et [NIR_3].');
    });

    it('replaces an IBAN with a valid checksum, in groups of four or in one block', () => {
      const sut = createPseudonymiser();
      const text = `Virement sur ${frenchIban} (BIC BNPAFRPP) ou sur ${germanIban}.`;

      expect(roundTrip(sut, text)).toBe('Virement sur [IBAN_1] (BIC BNPAFRPP) ou sur [IBAN_2].');
    });

    it('stops an IBAN before a capitalised word that would spoil its checksum', () => {
      const sut = createPseudonymiser();

      expect(roundTrip(sut, 'IBAN BE68 5390 0754 7034 ET BIC GEBABEBB')).toBe('IBAN [IBAN_1] ET BIC GEBABEBB');
    });

    it('replaces a whole postal address, postal code and city included, as one placeholder', () => {
      const sut = createPseudonymiser();
      const text =
        'Elle habite au 12 bis rue de la Paix, 75002 Paris, et son frère au 3, avenue du Général de Gaulle\n' +
        '69003 Lyon Cedex 03. Le bureau est 5 impasse du 8 Mai 1945.';

      const pseudonymised = roundTrip(sut, text);

      expect(pseudonymised).toBe('Elle habite au [ADRESSE_1], et son frère au [ADRESSE_2]. Le bureau est [ADRESSE_3].');
      expect(sut.restore('[ADRESSE_2]')).toBe('3, avenue du Général de Gaulle\n69003 Lyon Cedex 03');
    });

    it('recognises abbreviated street types and ends the street name at a lowercase word', () => {
      const sut = createPseudonymiser();
      const text = 'Au 8 bd Saint-Michel puis au 14 av. Jean Jaurès pour déposer le dossier.';

      expect(roundTrip(sut, text)).toBe('Au [ADRESSE_1] puis au [ADRESSE_2] pour déposer le dossier.');
    });

    it('replaces the name after a civility and keeps the civility', () => {
      const sut = createPseudonymiser();
      const text =
        'Mme Claire Martin a reçu M. de La Fontaine, Maître Lemaire et le Dr Jean-Pierre N’Diaye ; ' +
        'MADAME DURAND était absente.';

      expect(roundTrip(sut, text)).toBe(
        'Mme [PERSONNE_1] a reçu M. [PERSONNE_2], Maître [PERSONNE_3] et le Dr [PERSONNE_4] ; ' +
          'MADAME [PERSONNE_5] était absente.',
      );
    });

    it('leaves a title after a civility alone', () => {
      const sut = createPseudonymiser();
      const text = 'Monsieur le Préfet, Madame la Directrice, veuillez agréer mes salutations.';

      expect(sut.pseudonymise(text)).toBe(text);
    });

    it('replaces known names whatever their case and accents, on word boundaries only', () => {
      const sut = createPseudonymiser({ knownNames: ['Zoé Lefèvre'] });

      const pseudonymised = sut.pseudonymise('Zoé Lefèvre, dite ZOE LEFEVRE, mais pas Zoé Lefèvreau.');

      expect(pseudonymised).toBe('[PERSONNE_1], dite [PERSONNE_1], mais pas Zoé Lefèvreau.');
      expect(sut.restore(pseudonymised)).toBe('Zoé Lefèvre, dite Zoé Lefèvre, mais pas Zoé Lefèvreau.');
    });

    it('matches the longest known name first', () => {
      const sut = createPseudonymiser({ knownNames: ['Jean', 'Jean Dupont'] });

      expect(roundTrip(sut, 'Jean Dupont et Jean sont venus, Jeanne non.')).toBe(
        '[PERSONNE_1] et [PERSONNE_2] sont venus, Jeanne non.',
      );
    });

    it('replaces a realistic request with every kind of personal data', () => {
      const sut = createPseudonymiser({ knownNames: ['Paul Bernard'] });
      const text =
        `Rédige un courrier à Mme Sophie Girard, domiciliée 7 allée des Tilleuls, 33000 Bordeaux ` +
        `(sophie.girard@exemple.fr, 05 56 12 34 56), pour lui annoncer que le remboursement de ` +
        `1 250 euros sera versé sur ${frenchIban}. Son NIR est ${nir}. Paul Bernard suit le dossier.`;

      expect(roundTrip(sut, text)).toBe(
        'Rédige un courrier à Mme [PERSONNE_1], domiciliée [ADRESSE_1] ([EMAIL_1], [TELEPHONE_1]), ' +
          'pour lui annoncer que le remboursement de 1 250 euros sera versé sur [IBAN_1]. Son NIR est [NIR_1]. ' +
          '[PERSONNE_2] suit le dossier.',
      );
      expect(sut.replacements).toBe(7);
    });
  });

  describe('values that are not personal data', () => {
    it.each([
      ['a 15-digit number with a wrong NIR key', 'Référence 185057800608492 du dossier.'],
      ['a spaced NIR with a wrong key', 'Numéro 1 85 05 78 006 084 90 refusé.'],
      ['an IBAN with a wrong checksum', 'Compte FR76 3000 6000 0112 3456 7890 188 inconnu.'],
      ['a year', 'Le plan court jusqu’en 2026.'],
      ['an amount', 'Un budget de 1 250 000 euros, soit 0,5 % du total.'],
      ['an article number', 'Selon l’article L1234-5 du code du travail.'],
      ['a date', 'Audience fixée au 12/05/2026 à 14 h 30.'],
      ['a 14-digit SIRET', 'SIRET 32012345678901, SIREN 320123456.'],
      ['a series of digit groups', 'Les codes 06 12 34 56 78 90 12 sont périmés.'],
      ['a number before a street type without a capitalised name', 'Il suit 3 cours de français.'],
      ['an ordinary capitalised sentence', 'Le Conseil d’État a rendu sa Décision ce Lundi.'],
    ])('leaves %s alone', (_case, text) => {
      const sut = createPseudonymiser();

      expect(sut.pseudonymise(text)).toBe(text);
      expect(sut.replacements).toBe(0);
    });
  });

  describe('placeholders', () => {
    it('gives the same value the same placeholder across the messages of a request', () => {
      const sut = createPseudonymiser();

      expect(sut.pseudonymise('Écrire à jean@exemple.fr et à anne@exemple.fr.')).toBe(
        'Écrire à [EMAIL_1] et à [EMAIL_2].',
      );
      expect(sut.pseudonymise('Relance anne@exemple.fr, puis JEAN@exemple.fr.')).toBe(
        'Relance [EMAIL_2], puis [EMAIL_1].',
      );
      expect(sut.replacements).toBe(2);
    });

    it('numbers placeholders from 1 for each kind', () => {
      const sut = createPseudonymiser();

      expect(sut.pseudonymise('M. Durand, durand@exemple.fr, Mme Petit, petit@exemple.fr')).toBe(
        'M. [PERSONNE_1], [EMAIL_1], Mme [PERSONNE_2], [EMAIL_2]',
      );
    });

    it('treats the spellings of one phone number as one value, restored as first written', () => {
      const sut = createPseudonymiser();

      expect(sut.pseudonymise('Au 06 12 34 56 78, soit +33 6 12 34 56 78 depuis l’étranger.')).toBe(
        'Au [TELEPHONE_1], soit [TELEPHONE_1] depuis l’étranger.',
      );
      expect(sut.restore('[TELEPHONE_1]')).toBe('06 12 34 56 78');
    });

    it('does not reuse the number of a placeholder already present in the text', () => {
      const sut = createPseudonymiser();

      const pseudonymised = sut.pseudonymise('Document anonymisé : [PERSONNE_1] a vu M. Durand.');

      expect(pseudonymised).toBe('Document anonymisé : [PERSONNE_1] a vu M. [PERSONNE_2].');
      expect(sut.restore(pseudonymised)).toBe('Document anonymisé : [PERSONNE_1] a vu M. Durand.');
    });

    it('restores a placeholder the model wrote without its brackets, as a whole word only', () => {
      const sut = createPseudonymiser();
      sut.pseudonymise('Mme Martin');

      expect(sut.restore('Bonjour PERSONNE_1, (PERSONNE_1) mais pas XPERSONNE_1 ni PERSONNE_12.')).toBe(
        'Bonjour Martin, (Martin) mais pas XPERSONNE_1 ni PERSONNE_12.',
      );
    });

    it('leaves placeholders it did not issue and ordinary brackets as they are', () => {
      const sut = createPseudonymiser();
      sut.pseudonymise('Mme Martin');
      const answer = 'Voir [PERSONNE_2], [EMAIL_1], [Personne_1] et [note] ; tableau[0] = PERSONNE.';

      expect(sut.restore(answer)).toBe(answer);
    });
  });

  describe('stream restoration', () => {
    function buildConversation(): Pseudonymiser {
      const sut = createPseudonymiser();
      sut.pseudonymise(
        `Mme Claire Martin (claire.martin@exemple.fr, 06 12 34 56 78), NIR ${nir}, habite 12 rue de la Paix, 75002 Paris.`,
      );
      return sut;
    }

    const answer =
      '[PERSONNE_1] ([EMAIL_1])[TELEPHONE_1] habite [ADRESSE_1]. Bonjour PERSONNE_1, votre NIR [NIR_1] ' +
      'est noté. [ crochet seul, [PERSO, XPERSONNE_1, PERSONNE_12, [PERSONNE_9] et [PERSONNE_1 ouvert. ' +
      'Fin [EMAIL_1]';

    it('gives the same text as restore for every split into two chunks', () => {
      const sut = buildConversation();
      const expected = sut.restore(answer);
      expect(expected).toContain('Claire Martin (claire.martin@exemple.fr)06 12 34 56 78 habite 12 rue');

      for (let cut = 0; cut <= answer.length; cut++) {
        expect(streamed(sut, [answer.slice(0, cut), answer.slice(cut)])).toBe(expected);
      }
    });

    it('gives the same text as restore for every split into three chunks', () => {
      const sut = buildConversation();
      const expected = sut.restore(answer);
      const mismatches: string[] = [];

      for (let first = 0; first <= answer.length; first++) {
        for (let second = first; second <= answer.length; second++) {
          const chunks = [answer.slice(0, first), answer.slice(first, second), answer.slice(second)];
          if (streamed(sut, chunks) !== expected) mismatches.push(`${first}/${second}`);
        }
      }

      expect(mismatches).toEqual([]);
    });

    it('gives the same text as restore when the answer arrives one character at a time', () => {
      const sut = buildConversation();

      expect(streamed(sut, [...answer])).toBe(sut.restore(answer));
    });

    it('holds back a partial placeholder until the next chunk completes it', () => {
      const sut = buildConversation();
      const restorer = sut.createStreamRestorer();

      expect(restorer.push('Bonjour [PERSON')).toBe('Bonjour ');
      expect(restorer.push('NE_1], ça va ? [')).toBe('Claire Martin, ça va ? ');
      expect(restorer.push('sic]')).toBe('[sic]');
      expect(restorer.flush()).toBe('');
    });

    it('releases a held-back bracket that turns out not to open a placeholder when the stream ends', () => {
      const sut = buildConversation();
      const restorer = sut.createStreamRestorer();

      expect(restorer.push('Tableau [')).toBe('Tableau ');
      expect(restorer.flush()).toBe('[');
    });

    it('never holds back more than the longest placeholder', () => {
      const sut = buildConversation();
      const longestPlaceholder = '[TELEPHONE_1]'.length;
      const restorer = sut.createStreamRestorer();
      const text = '[[[[PERSO PERSONNE_ [EMAIL_ [TELEPHONE_ TELEPHONE_1x [NIR_ [[ADRESSE_';
      let released = '';

      for (const [index, character] of [...text].entries()) {
        released += restorer.push(character);
        expect(index + 1 - released.length).toBeLessThan(longestPlaceholder);
      }

      expect(released + restorer.flush()).toBe(text);
    });

    it('passes the text through untouched when nothing was pseudonymised', () => {
      const restorer = createPseudonymiser().createStreamRestorer();

      expect(restorer.push('Réponse [PERSONNE_1')).toBe('Réponse [PERSONNE_1');
      expect(restorer.flush()).toBe('');
    });
  });

  describe('speed', () => {
    it('pseudonymises 100 kB of realistic text quickly', () => {
      const sut = createPseudonymiser({ knownNames: ['Paul Bernard', 'Zoé Lefèvre'] });
      const paragraph =
        `Mme Sophie Girard, 7 allée des Tilleuls, 33000 Bordeaux, sophie.girard@exemple.fr, 05 56 12 34 56, ` +
        `NIR ${nir}, IBAN ${frenchIban}. Paul Bernard a versé 1 250 000 euros le 12/05/2026 (article L1234-5). `;
      const text = paragraph.repeat(Math.ceil(100_000 / paragraph.length));

      let pseudonymised = '';
      const milliseconds = elapsedMilliseconds(() => {
        pseudonymised = sut.pseudonymise(text);
      });

      expect(milliseconds).toBeLessThan(200);
      expect(sut.restore(pseudonymised)).toBe(text);
    });

    it.each([
      ['digits and spaces', '1 2 34 5 67 0 12 '.repeat(6_000)],
      ['one run of digits', '0'.repeat(100_000)],
      ['capitalised words after a civility', `M. ${'Dupont '.repeat(15_000)}`],
      ['capitalised words after a street type', `12 rue ${'De La Paix '.repeat(10_000)}`],
      ['capitalised words after particles', `12 rue ${'de la Paix et '.repeat(8_000)}`],
      ['an e-mail-like run without a domain', `${'a.b-c_d+'.repeat(12_000)}@`],
      ['IBAN-like groups', `FR76 ${'3000 '.repeat(20_000)}`],
      ['opening brackets', '[PERSONNE_'.repeat(10_000)],
    ])('handles %s in a pathological input quickly', (_case, text) => {
      const sut = createPseudonymiser({ knownNames: ['Dupont', 'Paix'] });

      const milliseconds = elapsedMilliseconds(() => {
        sut.restore(sut.pseudonymise(text));
        const restorer = sut.createStreamRestorer();
        for (let start = 0; start < text.length; start += 1_000) restorer.push(text.slice(start, start + 1_000));
        restorer.flush();
      });

      expect(milliseconds).toBeLessThan(200);
    });
  });
});
