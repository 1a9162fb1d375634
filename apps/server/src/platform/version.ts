import rootPackage from '../../../../package.json' with { type: 'json' };

/** Bureau's version, from the root package.json. */
export const bureauVersion: string = rootPackage.version;
