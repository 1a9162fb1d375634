import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import { localisedError, type AppError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import {
  compareSensitivity,
  highestSensitivity,
  isSensitivityLevel,
  sensitivityLevelNames,
  type SensitivityLevel,
} from './levels.ts';
import {
  failClosedLabels,
  maxClearanceForHosting,
  processorHostingNames,
  processorHostings,
  processorKinds,
  type ProcessorHosting,
  type ProcessorKind,
} from './processors.ts';
import { sensitivityErrors } from './sensitivity.errors.ts';

/** What a processor declares about itself when it is registered. */
export interface ProcessorDeclaration {
  /** Stable, lower case: `albert`, `local-blobs`, `whisper-onprem`. */
  readonly id: string;
  readonly kind: ProcessorKind;
  /** Shown to people, in refusal messages among others: `Albert (DINUM)`. */
  readonly name: string;
  /** The most sensitive level it may receive; at most what its hosting allows (`maxClearanceForHosting`). */
  readonly clearance: SensitivityLevel;
  readonly hosting: ProcessorHosting;
  /** Who runs it (`DINUM`, `OVHcloud`...). */
  readonly operator?: string | null;
}

/** A registered processor (a frozen copy: changing it changes nothing). */
export interface Processor {
  readonly id: string;
  readonly kind: ProcessorKind;
  readonly name: string;
  readonly clearance: SensitivityLevel;
  readonly hosting: ProcessorHosting;
  readonly operator: string | null;
}

/** Who sends what, and why, as recorded in the audit log. */
export interface ProcessingRequest {
  readonly actor: AuditActor;
  /** The resource whose data would leave (`{ type: 'document', id }`). */
  readonly target?: { readonly type: string; readonly id: string; readonly label?: string | null } | null;
  /** Why the data would leave: `assistant.chat`, `meet.transcription`... */
  readonly purpose?: string | null;
  readonly organisationId?: string | null;
}

/** An allowed processing: the processor as registered and the level of the data it receives. */
export interface ProcessingDecision {
  readonly processor: Processor;
  readonly level: SensitivityLevel;
}

/**
 * The processors data may leave to, each cleared up to a sensitivity level, and the rule that keeps
 * data from any processor not cleared for it. Every decision of `assertMayProcess` is audited.
 */
export interface SensitivityService {
  /**
   * Declares a processor (at boot for configured ones, at run time for those an administrator adds).
   * Throws SENSITIVITY_PROCESSOR_DUPLICATE for a taken id, SENSITIVITY_PROCESSOR_INVALID for a bad
   * field and SENSITIVITY_CLEARANCE_ABOVE_HOSTING when its hosting may not be cleared that high.
   */
  registerProcessor(declaration: ProcessorDeclaration): Processor;
  /** Changes a registered processor, with the same checks (SENSITIVITY_PROCESSOR_NOT_FOUND when unknown). */
  updateProcessor(id: string, changes: Partial<Omit<ProcessorDeclaration, 'id'>>): Processor;
  /** Forgets a processor; returns whether it was registered. Data is refused to it from then on. */
  unregisterProcessor(id: string): boolean;
  /** In registration order. */
  listProcessors(): Processor[];
  getProcessor(id: string): Processor | undefined;
  /** The processors (of `kind`, when given) that may receive data of `level`, in registration order. */
  processorsClearedFor(level: SensitivityLevel, kind?: ProcessorKind): Processor[];
  /**
   * Checks that the processor may receive data carrying `labels` (the most sensitive decides; an
   * unknown label counts as `restricted`) and records the decision in the audit log, without a
   * transaction: `sensitivity.processing.allowed` (success) or `sensitivity.processing.refused`
   * (denied). Throws SENSITIVITY_PROCESSING_REFUSED (forbidden) when the processor's clearance is
   * lower, SENSITIVITY_PROCESSOR_UNKNOWN when no processor has this id. When the allowed decision
   * cannot be recorded, the audit log's error is thrown: nothing leaves unrecorded. Call it outside
   * database transactions (on SQLite, a write outside an open transaction waits for it forever).
   */
  assertMayProcess(
    processorId: string,
    labels: Iterable<SensitivityLevel>,
    request: ProcessingRequest,
  ): Promise<ProcessingDecision>;
}

export interface SensitivityServiceDependencies {
  audit: AuditLog;
  logger: Logger;
}

const processorIdPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const maxNameLength = 200;

export function createSensitivityService(deps: SensitivityServiceDependencies): SensitivityService {
  const logger = deps.logger.child({ component: 'sensitivity' });
  const processors = new Map<string, Processor>();

  function checked(declaration: ProcessorDeclaration): Processor {
    const invalid = (field: string, reason: string) =>
      sensitivityErrors.create('SENSITIVITY_PROCESSOR_INVALID', { field, reason });
    const { id, kind, name, clearance, hosting } = declaration;
    const operator = declaration.operator ?? null;
    if (typeof id !== 'string' || !processorIdPattern.test(id)) {
      throw invalid(
        'id',
        'expected 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    }
    if (!processorKinds.includes(kind)) throw invalid('kind', `expected one of ${processorKinds.join(', ')}`);
    if (typeof name !== 'string' || name.trim() === '' || name.length > maxNameLength) {
      throw invalid('name', `expected a non-empty text of at most ${maxNameLength} characters`);
    }
    if (!isSensitivityLevel(clearance)) {
      throw invalid('clearance', 'expected public, internal, sensitive or restricted');
    }
    if (!processorHostings.includes(hosting)) {
      throw invalid('hosting', `expected one of ${processorHostings.join(', ')}`);
    }
    if (
      operator !== null &&
      (typeof operator !== 'string' || operator.trim() === '' || operator.length > maxNameLength)
    ) {
      throw invalid('operator', `expected a non-empty text of at most ${maxNameLength} characters`);
    }
    const maximum = maxClearanceForHosting(hosting);
    if (compareSensitivity(clearance, maximum) > 0) {
      throw localisedError(
        sensitivityErrors,
        'SENSITIVITY_CLEARANCE_ABOVE_HOSTING',
        { processorId: id, hosting, clearance, maximum },
        {
          processorName: name.trim(),
          hostingName: processorHostingNames[hosting],
          maximumName: sensitivityLevelNames[maximum],
          clearanceName: sensitivityLevelNames[clearance],
        },
      );
    }
    return Object.freeze({ id, kind, name: name.trim(), clearance, hosting, operator: operator?.trim() ?? null });
  }

  async function refuse(
    error: AppError,
    details: Record<string, unknown>,
    processorId: string,
    request: ProcessingRequest,
  ): Promise<never> {
    logger.warn({ processorId, ...details, actorUserId: request.actor.userId ?? null }, 'processing refused');
    try {
      await deps.audit.record({
        action: 'sensitivity.processing.refused',
        outcome: 'denied',
        actor: request.actor,
        target: request.target ?? null,
        organisationId: request.organisationId ?? null,
        details,
      });
    } catch (auditError) {
      // The data does not leave either way; the person is told why, and the operator sees the gap.
      logger.error(
        { err: auditError, processorId, ...details },
        'could not record a refused processing in the audit log',
      );
    }
    throw error;
  }

  return {
    registerProcessor(declaration) {
      const processor = checked(declaration);
      if (processors.has(processor.id)) {
        throw sensitivityErrors.create('SENSITIVITY_PROCESSOR_DUPLICATE', { processorId: processor.id });
      }
      processors.set(processor.id, processor);
      logger.info({ processor }, 'processor registered');
      return processor;
    },

    updateProcessor(id, changes) {
      const current = processors.get(id);
      if (!current) throw sensitivityErrors.create('SENSITIVITY_PROCESSOR_NOT_FOUND', { processorId: id });
      const processor = checked({ ...current, ...changes, id });
      processors.set(id, processor);
      logger.info({ processor, previous: current }, 'processor updated');
      return processor;
    },

    unregisterProcessor(id) {
      const existed = processors.delete(id);
      if (existed) logger.info({ processorId: id }, 'processor unregistered');
      return existed;
    },

    listProcessors() {
      return [...processors.values()];
    },

    getProcessor(id) {
      return processors.get(id);
    },

    processorsClearedFor(level, kind) {
      const needed = highestSensitivity(failClosedLabels([level]).levels);
      return [...processors.values()].filter(
        (processor) =>
          compareSensitivity(processor.clearance, needed) >= 0 && (kind === undefined || processor.kind === kind),
      );
    },

    async assertMayProcess(processorId, labels, request) {
      const { levels, unknown } = failClosedLabels(labels);
      if (unknown.length > 0) {
        logger.warn(
          { processorId, unknownLabels: unknown.map(String) },
          'unknown sensitivity labels count as restricted',
        );
      }
      const level = highestSensitivity(levels);
      const purpose = request.purpose ?? null;
      const processor = processors.get(processorId);
      if (!processor) {
        return refuse(
          sensitivityErrors.create('SENSITIVITY_PROCESSOR_UNKNOWN', { processorId }),
          { processor: processorId, level, clearance: null, purpose, reason: 'unknown-processor' },
          processorId,
          request,
        );
      }
      const facts = {
        processor: processor.id,
        processorKind: processor.kind,
        hosting: processor.hosting,
        level,
        clearance: processor.clearance,
        purpose,
      };
      if (compareSensitivity(processor.clearance, level) < 0) {
        return refuse(
          localisedError(
            sensitivityErrors,
            'SENSITIVITY_PROCESSING_REFUSED',
            { processorId: processor.id, level, clearance: processor.clearance },
            {
              processorName: processor.name,
              levelName: sensitivityLevelNames[level],
              clearanceName: sensitivityLevelNames[processor.clearance],
            },
          ),
          { ...facts, reason: 'clearance' },
          processor.id,
          request,
        );
      }
      await deps.audit.record({
        action: 'sensitivity.processing.allowed',
        outcome: 'success',
        actor: request.actor,
        target: request.target ?? null,
        organisationId: request.organisationId ?? null,
        details: facts,
      });
      logger.debug(facts, 'processing allowed');
      return { processor, level };
    },
  };
}
