import type { AuditActor } from '../../platform/audit/audit-log.ts';
import type { Logger } from '../../platform/logging.ts';
import type { DirectoryService } from './directory.service.ts';

const systemActor: AuditActor = { system: true, label: 'bureau' };

/** The demo administration's shared password, printed in the README. */
export const demoPassword = 'Bureau-Demo-2026!';
export const demoDomain = 'demo.gouv.fr';

/**
 * Creates the instance administrator named by BUREAU_ADMIN_EMAIL / BUREAU_ADMIN_PASSWORD when the
 * instance has no active administrator yet. Later starts change nothing (the password stays the
 * administrator's business).
 */
export async function ensureInitialAdmin(
  directory: DirectoryService,
  admin: { email: string; password: string } | undefined,
  logger: Logger,
): Promise<void> {
  if (!admin) return;
  if ((await directory.countInstanceAdmins()) > 0) return;
  const existing = await directory.findUserByEmail(admin.email);
  if (existing) {
    logger.warn({ email: admin.email }, 'BUREAU_ADMIN_EMAIL names an existing account that is not an administrator');
    return;
  }
  await directory.createUser(
    { email: admin.email, password: admin.password, isInstanceAdmin: true, displayName: 'Administrateur' },
    systemActor,
  );
  logger.info({ email: admin.email }, 'instance administrator created');
}

const demoAgents = [
  { email: 'claire.martin', displayName: 'Claire Martin', title: 'Directrice du numérique', unit: 'dnum', admin: true },
  { email: 'karim.benali', displayName: 'Karim Benali', title: 'Chef de projet', unit: 'dnum' },
  { email: 'sophie.leroy', displayName: 'Sophie Leroy', title: 'Développeuse', unit: 'dnum' },
  { email: 'thomas.nguyen', displayName: 'Thomas Nguyen', title: 'Administrateur systèmes', unit: 'dnum' },
  { email: 'julie.moreau', displayName: 'Julie Moreau', title: 'Designer de services', unit: 'dnum' },
  { email: 'antoine.dubois', displayName: 'Antoine Dubois', title: 'Directeur des affaires juridiques', unit: 'daj' },
  { email: 'fatima.elamrani', displayName: 'Fatima El Amrani', title: 'Juriste', unit: 'daj' },
  { email: 'nicolas.petit', displayName: 'Nicolas Petit', title: 'Juriste', unit: 'daj' },
  { email: 'camille.roux', displayName: 'Camille Roux', title: 'Assistante de direction', unit: 'daj' },
  { email: 'paul.girard', displayName: 'Paul Girard', title: 'Secrétaire général', unit: 'ministry' },
] as const;

/**
 * Seeds the demo administration once: the « Ministère de la Démonstration » with two directions, ten
 * agents (Claire Martin administers the instance), one external partner and a team spanning both
 * directions. Every demo account's password is `demoPassword`.
 */
export async function seedDemo(directory: DirectoryService, logger: Logger): Promise<void> {
  const existing = await directory.findUserByEmail(`paul.girard@${demoDomain}`);
  if (existing) return;
  const ministry = await directory.createOrganisation(
    { name: 'Ministère de la Démonstration', siret: '11000001300015', domains: [demoDomain] },
    systemActor,
  );
  const dnum = await directory.createOrganisation(
    { name: 'Direction du numérique', parentId: ministry.id },
    systemActor,
  );
  const daj = await directory.createOrganisation(
    { name: 'Direction des affaires juridiques', parentId: ministry.id },
    systemActor,
  );
  const units = { ministry: ministry.id, dnum: dnum.id, daj: daj.id };
  const userIds: Record<string, string> = {};
  for (const agent of demoAgents) {
    const user = await directory.createUser(
      {
        email: `${agent.email}@${demoDomain}`,
        displayName: agent.displayName,
        title: agent.title,
        organisationId: units[agent.unit],
        password: demoPassword,
        isInstanceAdmin: 'admin' in agent && agent.admin,
      },
      systemActor,
    );
    userIds[agent.email] = user.id;
  }
  const partner = await directory.createUser(
    {
      email: 'lea.fontaine@partenaire.example.fr',
      displayName: 'Léa Fontaine',
      title: 'Consultante (prestataire)',
      kind: 'external',
      password: demoPassword,
    },
    systemActor,
  );
  await directory.addOrganisationAdmin(dnum.id, userIds['karim.benali'] ?? '', systemActor);
  const team = await directory.createGroup(
    { name: 'Équipe projet Bureau', description: 'Le projet de l’espace numérique, DNUM et DAJ.' },
    userIds['karim.benali'] ?? null,
    systemActor,
  );
  for (const email of ['sophie.leroy', 'julie.moreau', 'fatima.elamrani']) {
    await directory.setGroupMember(team.id, userIds[email] ?? '', 'member', systemActor);
  }
  await directory.setGroupMember(team.id, partner.id, 'member', systemActor);
  logger.info({ domain: demoDomain, accounts: demoAgents.length + 1 }, 'demo administration seeded');
}
