/** An error the user may see: a code, an HTTP status and a Vietnamese message. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a form's invalid input says above it; the fields' own messages stand beside them. */
export const CHECK_MARKED_FIELDS = 'Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.';

export class ValidationError extends AppError {
  constructor(fields: Record<string, string>, message = CHECK_MARKED_FIELDS) {
    super(422, 'validation_failed', message, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Không tìm thấy.') {
    super(404, 'not_found', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Cần đăng nhập.') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Bạn không có quyền thực hiện thao tác này.') {
    super(403, 'forbidden', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, 'bad_request', message);
  }
}
