package dev.bedrockjobs.core.domain;

/** One reason a request was refused, tied to the JSON field (dotted path) it concerns. */
public record FieldError(String field, String message) {}
