// Face Search 1:N (POST /v3/face-search/) and the face lists it searches (/v3/lists/).
import type { ImageReport } from '../engine/types.js';

export const SEARCH_TYPES = ['most_similar', 'blocklisted_or_approved'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** The search's risk codes; a workflow session's screening puts them on its liveness node. */
export const FACE_SEARCH_RISKS = ['FACE_IN_BLOCKLIST', 'POSSIBLE_FACE_IN_BLOCKLIST', 'DUPLICATED_FACE', 'POSSIBLE_DUPLICATED_FACE', 'MULTIPLE_FACES_DETECTED'] as const;
export type FaceSearchRisk = (typeof FACE_SEARCH_RISKS)[number];

export interface FaceSearchMatch {
  session_id: string | null;
  session_number: number | null;
  similarity_percentage: number;
  source: 'session' | 'list_entry';
  vendor_data: string | null;
  verification_date: string;
  user_details: null;
  match_image_url: string | null;
  status: string | null;
  is_blocklisted: boolean;
  is_allowlisted: boolean;
  api_service: string | null;
  /** The platform's User entity and retained template ids; the sandbox keeps neither, so null. */
  vendor_user_id: null;
  biometric_template_id: null;
}

export interface FaceSearchWarning {
  risk: FaceSearchRisk;
  feature: 'LIVENESS';
  additional_data: Record<string, unknown> | null;
  log_type: 'error' | 'warning' | 'information';
  short_description: string;
  long_description: string;
}

export interface FaceSearchResult {
  request_id: string;
  face_search: {
    status: 'Approved' | 'Declined';
    total_matches: number;
    matches: FaceSearchMatch[];
    user_image: ImageReport;
    warnings: FaceSearchWarning[];
  };
  vendor_data: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
}

export const LIST_TYPES = ['blocklist', 'allowlist', 'custom'] as const;
export const ENTRY_TYPES = [
  'face',
  'document',
  'phone',
  'email',
  'ip_address',
  'device_fingerprint',
  'wallet_address',
  'bank_account',
  'country',
  'user',
  'business',
  'key',
] as const;
export type ListType = (typeof LIST_TYPES)[number];
export type EntryType = (typeof ENTRY_TYPES)[number];

export interface ListBody {
  uuid: string;
  name: string;
  description: string;
  list_type: ListType;
  entry_type: EntryType;
  is_system: boolean;
  entry_count: number;
  last_entry_added_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ListEntryBody {
  uuid: string;
  value: string;
  display_label: string;
  comment: string;
  added_by: string;
  reference_session_id: string | null;
  reference_session_number: number | null;
  reference_object_uuid: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
}
