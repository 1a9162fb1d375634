export { mailErrors } from './mail.errors.ts';
export {
  createMailService,
  mailSendJobType,
  mailStatuses,
  type MailMessage,
  type MailMessageInput,
  type MailPage,
  type MailService,
  type MailServiceDependencies,
  type MailStatus,
  type MailTransport,
} from './mail.service.ts';
