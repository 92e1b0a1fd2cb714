import type { Knex } from 'knex';
import * as catalog from './20261126000100_catalog';
import * as calendar from './20261126000200_calendar';
import * as auth from './20261126000300_auth';
import * as dossiers from './20261126000400_dossiers';
import * as dossierStates from './20261127000500_dossier_states';
import * as letters from './20261127000600_letters';
import * as reportIndexes from './20261127000700_report_indexes';
import * as auditLog from './20261127000800_audit_log';
import * as reportFinishState from './20261130000900_report_finish_state';
import * as reportFinishedMonths from './20261130001000_report_finished_months';
import * as reportMonthSpan from './20261130001100_report_month_span';
import * as deskIndexes from './20261130001200_desk_indexes';
import * as stateFromUnchanged from './20261130001300_state_from_unchanged';
import * as dossierSearch from './20261130001400_dossier_search';
import * as deskCountIndex from './20261130001500_desk_count_index';
import * as finishedLateIndex from './20261130001600_finished_late_index';
import * as deskIndexesSorted from './20261130001700_desk_indexes_sorted';
import * as deskCounts from './20261201001800_desk_counts';
import * as openReportIndex from './20261201001900_open_report_index';
import * as reportMonthEnds from './20261201002000_report_month_ends';
import * as authNotify from './20261201002100_auth_notify';
import * as processingDueIndex from './20261202002200_processing_due_index';
import * as deskCountsClustered from './20261202002300_desk_counts_clustered';
import * as finishedLateReceipt from './20261202002400_finished_late_receipt';
import * as finishedMonthsByAgency from './20261202002500_finished_months_by_agency';
import * as searchTrigrams from './20261202002600_search_trigrams';
import * as intakeRefusals from './20261203002700_intake_refusals';
import * as formTexts from './20261203002800_form_texts';
import * as openLateIndex from './20261203002900_open_late_index';
import * as searchWithoutMarks from './20261203003000_search_without_marks';
import * as nationalPhoneNumbers from './20261203003100_national_phone_numbers';
import * as letterTemplateSigner from './20261203003200_letter_template_signer';
import * as stoppedAfterDeadline from './20261204003300_stopped_after_deadline';
import * as usernamesAnyCase from './20261204003400_usernames_any_case';
import * as intakeKeys from './20261204003500_intake_keys';
import * as loginAttempts from './20261204003600_login_attempts';
import * as searchPlainFunction from './20261205003700_search_plain_function';

export interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Migrations in the order they run; a new one is added at the end with its timestamped name. */
export const migrations: Record<string, Migration> = {
  '20261126000100_catalog': catalog,
  '20261126000200_calendar': calendar,
  '20261126000300_auth': auth,
  '20261126000400_dossiers': dossiers,
  '20261127000500_dossier_states': dossierStates,
  '20261127000600_letters': letters,
  '20261127000700_report_indexes': reportIndexes,
  '20261127000800_audit_log': auditLog,
  '20261130000900_report_finish_state': reportFinishState,
  '20261130001000_report_finished_months': reportFinishedMonths,
  '20261130001100_report_month_span': reportMonthSpan,
  '20261130001200_desk_indexes': deskIndexes,
  '20261130001300_state_from_unchanged': stateFromUnchanged,
  '20261130001400_dossier_search': dossierSearch,
  '20261130001500_desk_count_index': deskCountIndex,
  '20261130001600_finished_late_index': finishedLateIndex,
  '20261130001700_desk_indexes_sorted': deskIndexesSorted,
  '20261201001800_desk_counts': deskCounts,
  '20261201001900_open_report_index': openReportIndex,
  '20261201002000_report_month_ends': reportMonthEnds,
  '20261201002100_auth_notify': authNotify,
  '20261202002200_processing_due_index': processingDueIndex,
  '20261202002300_desk_counts_clustered': deskCountsClustered,
  '20261202002400_finished_late_receipt': finishedLateReceipt,
  '20261202002500_finished_months_by_agency': finishedMonthsByAgency,
  '20261202002600_search_trigrams': searchTrigrams,
  '20261203002700_intake_refusals': intakeRefusals,
  '20261203002800_form_texts': formTexts,
  '20261203002900_open_late_index': openLateIndex,
  '20261203003000_search_without_marks': searchWithoutMarks,
  '20261203003100_national_phone_numbers': nationalPhoneNumbers,
  '20261203003200_letter_template_signer': letterTemplateSigner,
  '20261204003300_stopped_after_deadline': stoppedAfterDeadline,
  '20261204003400_usernames_any_case': usernamesAnyCase,
  '20261204003500_intake_keys': intakeKeys,
  '20261204003600_login_attempts': loginAttempts,
  '20261205003700_search_plain_function': searchPlainFunction,
};
