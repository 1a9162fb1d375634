import { sql } from 'kysely';
import type { Database } from '../../../../platform/db/database.ts';
import type { KnowledgeRepository } from '../knowledge.repository.ts';

/**
 * Nearest chunks to a query's embedding (cosine similarity), in one collection. On SQLite with the
 * sqlite-vec extension loaded, the database computes the distances (`vec_distance_cosine`, SIMD, an exact
 * scan of the collection's vectors: tens of thousands of chunks in milliseconds); elsewhere (PostgreSQL
 * without pgvector, or an SQLite build where the extension cannot load) the vectors are held in memory
 * per collection version and scanned in process.
 */
export interface DenseHit {
  readonly sourceId: string;
  readonly ordinal: number;
  readonly similarity: number;
}

export type VectorEngine = 'sqlite-vec' | 'in-process';

interface LoadedVectors {
  readonly version: number;
  readonly sourceIds: readonly string[];
  readonly ordinals: Int32Array;
  readonly matrix: Float32Array;
  readonly dimensions: number;
}

export function vectorToBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength).slice();
}

export function bytesToVector(bytes: Uint8Array): Float32Array {
  const copy = bytes.slice();
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

export function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return vector.map((value) => value / norm);
}

export function createVectorSearch(database: Database, repository: KnowledgeRepository, engine: VectorEngine) {
  const loaded = new Map<string, Promise<LoadedVectors>>();

  async function load(collectionId: string, model: string, version: number): Promise<LoadedVectors> {
    const rows = await repository.embeddingsOf(collectionId, model);
    const dimensions = rows[0] ? rows[0].embedding.byteLength / 4 : 0;
    const matrix = new Float32Array(rows.length * dimensions);
    const ordinals = new Int32Array(rows.length);
    const sourceIds: string[] = [];
    for (const [index, row] of rows.entries()) {
      matrix.set(normalise(bytesToVector(row.embedding)), index * dimensions);
      ordinals[index] = Number(row.ordinal);
      sourceIds.push(row.source_id);
    }
    return { version, sourceIds, ordinals, matrix, dimensions };
  }

  return {
    engine,

    async search(
      collectionId: string,
      model: string,
      version: number,
      query: Float32Array,
      limit: number,
    ): Promise<DenseHit[]> {
      if (engine === 'sqlite-vec') {
        const { rows } = await sql<{ source_id: string; ordinal: number; distance: number }>`
          select source_id, ordinal, vec_distance_cosine(embedding, ${vectorToBytes(query)}) as distance
          from assistant_chunk_embeddings
          where collection_id = ${collectionId} and model = ${model}
          order by distance limit ${limit}`.execute(database.executor);
        return rows.map((row) => ({
          sourceId: row.source_id,
          ordinal: Number(row.ordinal),
          similarity: 1 - row.distance,
        }));
      }
      const key = `${collectionId}\u0000${model}`;
      let vectors = loaded.get(key);
      if (!vectors || (await vectors).version !== version) {
        vectors = load(collectionId, model, version);
        loaded.set(key, vectors);
        vectors.catch(() => loaded.delete(key));
      }
      const { matrix, dimensions, sourceIds, ordinals } = await vectors;
      if (dimensions !== query.length) return [];
      const unit = normalise(query);
      const scored: DenseHit[] = [];
      for (let row = 0; row < sourceIds.length; row++) {
        let dot = 0;
        const base = row * dimensions;
        for (let index = 0; index < dimensions; index++) dot += matrix[base + index]! * unit[index]!;
        scored.push({ sourceId: sourceIds[row]!, ordinal: ordinals[row]!, similarity: dot });
      }
      return scored.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
    },
  };
}

export type VectorSearch = ReturnType<typeof createVectorSearch>;
