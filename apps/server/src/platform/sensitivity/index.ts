export {
  compareSensitivity,
  highestSensitivity,
  isSensitivityLevel,
  sensitivityLevelNames,
  sensitivityLevels,
  type SensitivityLevel,
} from './levels.ts';
export {
  maxClearanceForHosting,
  mayProcess,
  processorHostingNames,
  processorHostings,
  processorKinds,
  type ProcessorHosting,
  type ProcessorKind,
} from './processors.ts';
export { sensitivityErrors } from './sensitivity.errors.ts';
export {
  createSensitivityService,
  type ProcessingDecision,
  type ProcessingRequest,
  type Processor,
  type ProcessorDeclaration,
  type SensitivityService,
  type SensitivityServiceDependencies,
} from './sensitivity.service.ts';
