// Vietnamese names of the history's event types, shown in timelines and forms.
export const EVENT_NAMES: Record<string, string> = {
  receive: 'Tiếp nhận hồ sơ',
  request_supplement: 'Yêu cầu bổ sung, hoàn thiện hồ sơ',
  receive_supplement: 'Nhận hồ sơ bổ sung',
  pause: 'Tạm dừng giải quyết',
  resume: 'Tiếp tục giải quyết',
  transfer: 'Chuyển hồ sơ (liên thông)',
  resolve: 'Có kết quả giải quyết',
  return: 'Trả kết quả cho công dân',
  withdraw: 'Công dân rút hồ sơ',
  recompute_due: 'Tính lại hạn do thay đổi lịch làm việc',
  apology_issued: 'Phát hành văn bản xin lỗi, hẹn lại ngày trả',
  correct: 'Sửa thông tin người nộp, thành phần hồ sơ',
};

/** The fields a correction (event 'correct') may change, as the history names them. */
export const CORRECTED_NAMES: Record<string, string> = {
  applicant_name: 'Họ tên',
  applicant_id_number: 'Số giấy tờ',
  applicant_phone: 'Điện thoại',
  applicant_email: 'E-mail',
  applicant_address: 'Địa chỉ',
  documents: 'Thành phần hồ sơ',
  sets: 'Số bộ',
};
