package dev.bedrockjobs.core.model;

import java.math.BigDecimal;

/**
 * The on-demand price of one model call.
 *
 * @param usd             total in US dollars, 6 decimal places, rounded half up
 * @param inputUsdPer1k   the input rate applied, USD per 1,000 tokens
 * @param outputUsdPer1k  the output rate applied, USD per 1,000 tokens
 */
public record Cost(BigDecimal usd, BigDecimal inputUsdPer1k, BigDecimal outputUsdPer1k) {}
