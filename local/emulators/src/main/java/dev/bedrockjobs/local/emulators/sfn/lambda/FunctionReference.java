package dev.bedrockjobs.local.emulators.sfn.lambda;

/**
 * A {@code FunctionName} as Lambda's Invoke accepts it: a name ({@code my-function}), a partial ARN
 * ({@code 123456789012:function:my-function}) or a function ARN
 * ({@code arn:aws:lambda:us-east-1:123456789012:function:my-function}), each optionally followed by
 * {@code :<qualifier>} (a version, an alias or {@code $LATEST}), per
 * <a href="https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html">Invoke</a>.
 *
 * @param name      the function's name
 * @param account   the account id the ARN names, or null for a plain name
 * @param region    the region the full ARN names, or null
 * @param qualifier the version or alias, or null
 */
public record FunctionReference(String name, String account, String region, String qualifier) {

    /** The qualifier naming the unpublished code, the only one a template's functions have locally. */
    public static final String LATEST = "$LATEST";

    /**
     * @throws IllegalArgumentException for text none of the three forms reads
     */
    public static FunctionReference parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length >= 7 && parts[0].equals("arn") && parts[2].equals("lambda") && parts[5].equals("function")) {
            return of(text, parts[6], parts[4], parts[3], qualifier(text, parts, 7));
        }
        if (parts.length >= 3 && parts[1].equals("function")) {
            return of(text, parts[2], parts[0], null, qualifier(text, parts, 3));
        }
        if (parts.length <= 2 && !parts[0].isEmpty()) {
            return of(text, parts[0], null, null, qualifier(text, parts, 1));
        }
        throw new IllegalArgumentException("'" + text + "' is not a function name, partial ARN or function ARN");
    }

    private static String qualifier(String text, String[] parts, int at) {
        if (parts.length == at) {
            return null;
        }
        if (parts.length == at + 1 && !parts[at].isEmpty()) {
            return parts[at];
        }
        throw new IllegalArgumentException("'" + text + "' is not a function name, partial ARN or function ARN");
    }

    private static FunctionReference of(String text, String name, String account, String region, String qualifier) {
        if (name.isEmpty() || (account != null && account.isEmpty()) || (region != null && region.isEmpty())) {
            throw new IllegalArgumentException("'" + text + "' is not a function name, partial ARN or function ARN");
        }
        return new FunctionReference(name, account, region, qualifier);
    }

    /** Whether it names the unpublished code: no qualifier, or {@code $LATEST}. */
    public boolean isLatest() {
        return qualifier == null || qualifier.equals(LATEST);
    }
}
