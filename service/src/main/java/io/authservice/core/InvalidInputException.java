package io.authservice.core;

/** Input that the caller must correct: answered 400 (tasks) or exit code 2 (commands). */
public class InvalidInputException extends RequestRefusedException {
    public InvalidInputException(String message) {
        super(400, message);
    }
}
