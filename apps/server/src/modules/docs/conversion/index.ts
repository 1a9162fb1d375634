/**
 * Conversions of a page's content (BlockNote blocks in a Yjs document): to and from the Yjs document, to
 * plain text for search and the assistant, exports (Markdown, HTML, DOCX, ODT, PDF, a zip of a page
 * tree) and imports (Markdown, HTML, DOCX, ODT). BlockNote and the office libraries are loaded at the
 * first conversion that needs them, not at boot.
 */
export type { DocsBlock, PartialDocsBlock } from './blocks.ts';
export { yDocToBlocks, blocksToYDocUpdate, replaceFragmentContent } from './yjs-content.ts';
export { blocksToPlainText, documentTitleFromBlocks } from './plain-text.ts';
export { exportBlocks, type ExportOptions, type ExportedDocument } from './export-document.ts';
export type { ResolveFile } from './images.ts';
export type { ExportLanguage } from './typography.ts';
export { importDocument, type ImportedDocument } from './import-document.ts';
export { importedFileScheme, type ImportedFile } from './imported-files.ts';
export { zipEntries, safeFileName } from './zip-entries.ts';
