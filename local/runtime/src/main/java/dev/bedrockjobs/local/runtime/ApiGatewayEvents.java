package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the events API Gateway (HTTP API, payload format 2.0) hands to Lambda: the integration's
 * {@link APIGatewayV2HTTPEvent} and the Lambda authorizer's {@link APIGatewayV2CustomAuthorizerEvent}, with the
 * fields a deployed API fills in and the ones it leaves out (no {@code queryStringParameters} without a query, no
 * {@code pathParameters} on a route without variables, no {@code body} for an empty one).
 */
final class ApiGatewayEvents {
    static final String STAGE = "$default";

    private final String apiId;

    /** @param apiId the API's id, as it appears in {@code requestContext.apiId} and ARNs */
    ApiGatewayEvents(String apiId) {
        this.apiId = apiId;
    }

    String apiId() {
        return apiId;
    }

    APIGatewayV2HTTPEvent httpEvent(
            IncomingRequest r, RouteTable.Match match, byte[] body, Map<String, Object> authorizerContext) {
        APIGatewayV2HTTPEvent.RequestContext ctx = requestContext(r, match);
        if (authorizerContext != null) {
            APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer =
                    new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizer.setLambda(authorizerContext);
            ctx.setAuthorizer(authorizer);
        }

        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setVersion("2.0");
        e.setRouteKey(match.route().routeKey());
        e.setRawPath(r.rawPath());
        e.setRawQueryString(r.rawQueryString());
        e.setCookies(r.cookies().isEmpty() ? null : List.copyOf(r.cookies()));
        e.setHeaders(Map.copyOf(r.headers()));
        e.setQueryStringParameters(r.query().isEmpty() ? null : Map.copyOf(r.query()));
        e.setPathParameters(match.pathParameters().isEmpty() ? null : Map.copyOf(match.pathParameters()));
        e.setRequestContext(ctx);
        if (body.length > 0) {
            String text = isTextual(r.header("content-type")) ? utf8(body) : null;
            e.setIsBase64Encoded(text == null);
            e.setBody(text != null ? text : Base64.getEncoder().encodeToString(body));
        }
        return e;
    }

    private APIGatewayV2HTTPEvent.RequestContext requestContext(IncomingRequest r, RouteTable.Match match) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(r.method());
        http.setPath(r.rawPath());
        http.setProtocol(r.protocol());
        http.setSourceIp(r.sourceIp());
        http.setUserAgent(r.userAgent());

        APIGatewayV2HTTPEvent.RequestContext ctx = new APIGatewayV2HTTPEvent.RequestContext();
        ctx.setAccountId(LocalResources.ACCOUNT_ID);
        ctx.setApiId(apiId);
        ctx.setDomainName(r.host());
        ctx.setDomainPrefix(domainPrefix(r.host()));
        ctx.setHttp(http);
        ctx.setRequestId(r.requestId());
        ctx.setRouteKey(match.route().routeKey());
        ctx.setStage(STAGE);
        ctx.setTime(r.formattedTime());
        ctx.setTimeEpoch(r.time().toEpochMilli());
        return ctx;
    }

    /**
     * The same request context in the authorizer event's classes, which share the HTTP event's fields but not its
     * types (their constructors take the fields in declaration order).
     */
    private static APIGatewayV2CustomAuthorizerEvent.RequestContext forAuthorizer(
            APIGatewayV2HTTPEvent.RequestContext c) {
        APIGatewayV2HTTPEvent.RequestContext.Http h = c.getHttp();
        return new APIGatewayV2CustomAuthorizerEvent.RequestContext(
                c.getAccountId(),
                c.getApiId(),
                c.getDomainName(),
                c.getDomainPrefix(),
                new APIGatewayV2CustomAuthorizerEvent.Http(
                        h.getMethod(), h.getPath(), h.getProtocol(), h.getSourceIp(), h.getUserAgent()),
                c.getRequestId(),
                c.getRouteKey(),
                c.getStage(),
                c.getTime(),
                c.getTimeEpoch());
    }

    APIGatewayV2CustomAuthorizerEvent authorizerEvent(
            IncomingRequest r, RouteTable.Match match, List<String> identitySource) {
        APIGatewayV2CustomAuthorizerEvent.RequestContext ctx = forAuthorizer(requestContext(r, match));

        APIGatewayV2CustomAuthorizerEvent e = new APIGatewayV2CustomAuthorizerEvent();
        e.setVersion("2.0");
        e.setType("REQUEST");
        e.setRouteArn("arn:aws:execute-api:" + LocalResources.REGION + ":" + LocalResources.ACCOUNT_ID + ":" + apiId
                + "/" + STAGE + "/" + r.method() + r.rawPath());
        e.setIdentitySource(List.copyOf(identitySource));
        e.setRouteKey(match.route().routeKey());
        e.setRawPath(r.rawPath());
        e.setRawQueryString(r.rawQueryString());
        e.setCookies(r.cookies().isEmpty() ? null : List.copyOf(r.cookies()));
        e.setHeaders(Map.copyOf(r.headers()));
        e.setQueryStringParameters(r.query().isEmpty() ? null : Map.copyOf(r.query()));
        e.setPathParameters(match.pathParameters().isEmpty() ? null : Map.copyOf(match.pathParameters()));
        e.setRequestContext(ctx);
        return e;
    }

    private static String domainPrefix(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    /** Media types API Gateway passes as text; anything else (or no type) arrives base64-encoded. */
    static boolean isTextual(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        int semi = type.indexOf(';');
        String charset = semi < 0 ? null : type.substring(semi + 1).strip();
        if (charset != null
                && charset.startsWith("charset=")
                && !charset.substring("charset=".length())
                        .replace("\"", "")
                        .strip()
                        .matches("utf-?8|us-ascii")) {
            return false;
        }
        String media = (semi < 0 ? type : type.substring(0, semi)).strip();
        return media.startsWith("text/")
                || media.equals("application/json")
                || media.endsWith("+json")
                || media.equals("application/xml")
                || media.endsWith("+xml")
                || media.equals("application/javascript")
                || media.equals("application/x-www-form-urlencoded")
                || media.equals("application/x-ndjson")
                || media.equals("application/yaml");
    }

    /** The body as text when it is valid UTF-8, else null (then it travels base64-encoded). */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
