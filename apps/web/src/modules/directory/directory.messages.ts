import type { Dictionary } from '../../i18n.tsx';

export interface DirectoryMessages {
  title: string;
  intro: string;
  peopleTitle: string;
  searchPeople: string;
  searchPeopleHint: string;
  searchSubmit: string;
  organisationFilter: string;
  allOrganisations: string;
  noPeople: string;
  peopleFound: (count: number, more: boolean) => string;
  more: string;
  organisationsTitle: string;
  noOrganisations: string;
  loading: string;
  external: string;
  email: string;
  phone: string;
  organisation: string;
  noOrganisation: string;
  groups: string;
  noGroups: string;
  photoOf: (name: string) => string;
  writeTo: (name: string) => string;
  call: (name: string) => string;
  siret: string;
  domains: string;
  subUnits: string;
  noSubUnits: string;
  peopleOf: (organisation: string) => string;
  groupOrganisation: string;
  members: (count: number) => string;
  noMembers: string;
  manager: string;
  member: string;
  role: string;
  you: string;
  makeManager: string;
  makeManagerOf: (name: string) => string;
  makeMember: string;
  makeMemberOf: (name: string) => string;
  remove: string;
  removeFromGroup: (name: string, group: string) => string;
  confirmRemove: (name: string, group: string) => string;
  leave: string;
  confirmLeave: (group: string) => string;
  left: (group: string) => string;
  confirm: string;
  cancel: string;
  addMembersTitle: string;
  addMembersHint: string;
  findPerson: string;
  findPersonHint: string;
  addAs: string;
  add: string;
  addToGroup: (name: string, group: string) => string;
  alreadyMember: string;
  added: (name: string) => string;
  roleChanged: (name: string) => string;
  removed: (name: string) => string;
  noMatch: string;
}

const fr: DirectoryMessages = {
  title: 'Annuaire',
  intro: 'Les agents de l’administration, ses services et ses équipes.',
  peopleTitle: 'Personnes',
  searchPeople: 'Rechercher une personne',
  searchPeopleHint: 'Nom, adresse électronique ou fonction.',
  searchSubmit: 'Rechercher',
  organisationFilter: 'Service',
  allOrganisations: 'Tous les services',
  noPeople: 'Aucune personne ne correspond.',
  peopleFound: (count, more) => `${count}${more ? '+' : ''} personne${count > 1 ? 's' : ''}`,
  more: 'Afficher plus',
  organisationsTitle: 'Organisations',
  noOrganisations: 'Aucune organisation.',
  loading: 'Chargement…',
  external: 'Partenaire externe',
  email: 'Adresse électronique',
  phone: 'Téléphone',
  organisation: 'Organisation',
  noOrganisation: 'Aucune',
  groups: 'Groupes',
  noGroups: 'Membre d’aucun groupe.',
  photoOf: (name) => `Photo de ${name}`,
  writeTo: (name) => `Écrire à ${name}`,
  call: (name) => `Appeler ${name}`,
  siret: 'SIRET',
  domains: 'Domaines de messagerie',
  subUnits: 'Services rattachés',
  noSubUnits: 'Aucun service rattaché.',
  peopleOf: (organisation) => `Les agents de ${organisation}`,
  groupOrganisation: 'Organisation de rattachement',
  members: (count) => `${count} membre${count > 1 ? 's' : ''}`,
  noMembers: 'Aucun membre.',
  manager: 'Responsable',
  member: 'Membre',
  role: 'Rôle',
  you: '(vous)',
  makeManager: 'Nommer responsable',
  makeManagerOf: (name) => `Nommer ${name} responsable du groupe`,
  makeMember: 'Rendre simple membre',
  makeMemberOf: (name) => `Rendre ${name} simple membre du groupe`,
  remove: 'Retirer',
  removeFromGroup: (name, group) => `Retirer ${name} du groupe ${group}`,
  confirmRemove: (name, group) =>
    `Retirer ${name} du groupe « ${group} » ? La personne perd l’accès à ce que le groupe partage.`,
  leave: 'Quitter le groupe',
  confirmLeave: (group) =>
    `Quitter le groupe « ${group} » ? Vous perdrez l’accès à ce qu’il partage ; un responsable devra vous ajouter à nouveau.`,
  left: (group) => `Vous avez quitté le groupe « ${group} ».`,
  confirm: 'Confirmer',
  cancel: 'Annuler',
  addMembersTitle: 'Ajouter des membres',
  addMembersHint: 'Cherchez une personne dans l’annuaire, puis ajoutez-la comme membre ou comme responsable.',
  findPerson: 'Personne à ajouter',
  findPersonHint: 'Nom ou adresse électronique.',
  addAs: 'Ajouter en tant que',
  add: 'Ajouter',
  addToGroup: (name, group) => `Ajouter ${name} au groupe ${group}`,
  alreadyMember: 'Déjà membre',
  added: (name) => `${name} a été ajouté(e) au groupe.`,
  roleChanged: (name) => `Le rôle de ${name} a été modifié.`,
  removed: (name) => `${name} a été retiré(e) du groupe.`,
  noMatch: 'Personne ne correspond à cette recherche.',
};

const en: DirectoryMessages = {
  title: 'Directory',
  intro: 'The administration’s agents, its units and its teams.',
  peopleTitle: 'People',
  searchPeople: 'Search for someone',
  searchPeopleHint: 'Name, e-mail address or job title.',
  searchSubmit: 'Search',
  organisationFilter: 'Unit',
  allOrganisations: 'All units',
  noPeople: 'Nobody matches.',
  peopleFound: (count, more) => `${count}${more ? '+' : ''} ${count > 1 ? 'people' : 'person'}`,
  more: 'Show more',
  organisationsTitle: 'Organisations',
  noOrganisations: 'No organisations.',
  loading: 'Loading…',
  external: 'External partner',
  email: 'E-mail address',
  phone: 'Phone',
  organisation: 'Organisation',
  noOrganisation: 'None',
  groups: 'Groups',
  noGroups: 'Member of no group.',
  photoOf: (name) => `Picture of ${name}`,
  writeTo: (name) => `Write to ${name}`,
  call: (name) => `Call ${name}`,
  siret: 'SIRET',
  domains: 'E-mail domains',
  subUnits: 'Units below',
  noSubUnits: 'No units below.',
  peopleOf: (organisation) => `The agents of ${organisation}`,
  groupOrganisation: 'Organisation',
  members: (count) => `${count} member${count > 1 ? 's' : ''}`,
  noMembers: 'No members.',
  manager: 'Manager',
  member: 'Member',
  role: 'Role',
  you: '(you)',
  makeManager: 'Make manager',
  makeManagerOf: (name) => `Make ${name} a manager of the group`,
  makeMember: 'Make plain member',
  makeMemberOf: (name) => `Make ${name} a plain member of the group`,
  remove: 'Remove',
  removeFromGroup: (name, group) => `Remove ${name} from the group ${group}`,
  confirmRemove: (name, group) =>
    `Remove ${name} from the group “${group}”? They lose access to what the group shares.`,
  leave: 'Leave the group',
  confirmLeave: (group) =>
    `Leave the group “${group}”? You will lose access to what it shares; a manager would have to add you again.`,
  left: (group) => `You left the group “${group}”.`,
  confirm: 'Confirm',
  cancel: 'Cancel',
  addMembersTitle: 'Add members',
  addMembersHint: 'Find someone in the directory, then add them as a member or as a manager.',
  findPerson: 'Person to add',
  findPersonHint: 'Name or e-mail address.',
  addAs: 'Add as',
  add: 'Add',
  addToGroup: (name, group) => `Add ${name} to the group ${group}`,
  alreadyMember: 'Already a member',
  added: (name) => `${name} was added to the group.`,
  roleChanged: (name) => `${name}’s role was changed.`,
  removed: (name) => `${name} was removed from the group.`,
  noMatch: 'Nobody matches this search.',
};

export const directoryMessages: Dictionary<DirectoryMessages> = { fr, en };
