// The dossier's states. PURE: the lifecycle rules live here so pages, API and service agree.
export const STATUSES = ['processing', 'awaiting_supplement', 'paused', 'resolved', 'returned', 'withdrawn'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_NAMES: Record<Status, string> = {
  processing: 'Đang giải quyết',
  awaiting_supplement: 'Chờ bổ sung',
  paused: 'Tạm dừng',
  resolved: 'Đã có kết quả',
  returned: 'Đã trả kết quả',
  withdrawn: 'Đã rút hồ sơ',
};

export const OPEN_STATUSES: Status[] = ['processing', 'awaiting_supplement', 'paused'];

export function isOpen(status: Status): boolean {
  return OPEN_STATUSES.includes(status);
}

/** The clock runs only while the dossier is being processed. */
export function clockRunning(status: Status): boolean {
  return status === 'processing';
}
