// pdfmake 0.3 ships no type declarations (and @types/pdfmake describes 0.2's browser API): the part of its
// server API the PDF export uses. The module is CommonJS: its export is the pdfmake object itself.
declare module 'pdfmake' {
  namespace pdfmake {
    /** A font's four faces: paths of TrueType files, or the name of one of the 14 standard PDF fonts. */
    interface PdfFontFaces {
      normal: string;
      bold: string;
      italics: string;
      bolditalics: string;
    }

    interface PdfDocumentDefinition {
      content: unknown;
      info?: { title?: string; author?: string; creator?: string; producer?: string; subject?: string };
      language?: string;
      pageSize?: string;
      pageMargins?: number | [number, number, number, number];
      defaultStyle?: Record<string, unknown>;
      styles?: Record<string, Record<string, unknown>>;
      images?: Record<string, string>;
      footer?: (currentPage: number, pageCount: number) => unknown;
      compress?: boolean;
    }

    interface PdfOutputDocument {
      getBuffer(): Promise<Buffer>;
    }

    interface PdfMake {
      setFonts(fonts: Record<string, PdfFontFaces>): void;
      /** Which URLs the document may fetch (images given by URL); none when it answers false. */
      setUrlAccessPolicy(policy: (url: string) => boolean): void;
      /** Which local files the document may read (fonts, images given by path). */
      setLocalAccessPolicy(policy: (path: string) => boolean): void;
      createPdf(definition: PdfDocumentDefinition): PdfOutputDocument;
    }
  }

  const pdfmake: pdfmake.PdfMake;
  export = pdfmake;
}
