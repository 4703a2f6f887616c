//! `ln` and `exp` built only from IEEE 754 basic operations.
//!
//! The standard library's `f64::ln` and `f64::exp` call the platform's maths library, whose last
//! bit may differ between systems and versions. Samplers that promise "same seed, same trace,
//! forever" cannot depend on that, so these two functions use only `+ - * /` and exact bit
//! manipulation, which IEEE 754 defines to the bit. They are accurate to a few units in the last
//! place, far more than a latency in whole nanoseconds needs.

/// ln(2) split into a part whose low 21 bits are zero, so `k * LN_2_HIGH` is exact for every
/// exponent `k` of a double, and the small rest (the split fdlibm uses).
const LN_2_HIGH: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN_2_LOW: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
const LN_2: f64 = std::f64::consts::LN_2;

/// The natural logarithm of `x`; NaN for negative or NaN input, -inf for 0, inf for inf.
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x < f64::MIN_POSITIVE {
        // Subnormal: scale into the normal range first (2^54 is exact).
        return ln(x * 18_014_398_509_481_984.0) - 54.0 * LN_2;
    }
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023 << 52));
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa /= 2.0;
        exponent += 1;
    }
    // ln(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with s = (m - 1) / (m + 1), |s| < 0.172.
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for k in (0..12).rev() {
        series = series * s2 + 1.0 / (2 * k + 1) as f64;
    }
    let e = exponent as f64;
    e * LN_2_HIGH + (e * LN_2_LOW + 2.0 * s * series)
}

/// e raised to `x`; 0 below about -745, inf above about 709.8, NaN for NaN.
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k ln 2 + r with |r| <= ln(2) / 2, then e^x = 2^k e^r.
    let k = (x / LN_2).round();
    let r = (x - k * LN_2_HIGH) - k * LN_2_LOW;
    let mut series = 1.0;
    for n in (1..=17).rev() {
        series = 1.0 + series * r / n as f64;
    }
    scale_by_power_of_two(series, k as i32)
}

/// `value * 2^power`, in two exact steps so that powers beyond one double's exponent range work.
fn scale_by_power_of_two(value: f64, power: i32) -> f64 {
    let half = power / 2;
    value * power_of_two(half) * power_of_two(power - half)
}

/// 2^power for `power` in -1022..=1023, built from its bits; beyond that it saturates.
fn power_of_two(power: i32) -> f64 {
    let clamped = power.clamp(-1022, 1023);
    f64::from_bits(((clamped + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(ours: f64, reference: f64) -> bool {
        (ours - reference).abs() <= 4.0 * f64::EPSILON * reference.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn ln_agrees_with_the_platform_to_a_few_ulps() {
        let mut x = 1e-300;
        while x < 1e300 {
            assert!(close(ln(x), x.ln()), "ln({x}) = {} vs {}", ln(x), x.ln());
            x *= 1.37;
        }
        for x in [0.5, 0.999_999, 1.0, 1.000_001, 2.0, 10.0, 5e-324] {
            assert!(
                (ln(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1.0),
                "ln({x})"
            );
        }
    }

    #[test]
    fn exp_agrees_with_the_platform_to_a_few_ulps() {
        let mut x = -700.0;
        while x < 700.0 {
            assert!(
                close(exp(x), x.exp()),
                "exp({x}) = {} vs {}",
                exp(x),
                x.exp()
            );
            x += 0.731;
        }
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn edges_follow_the_usual_conventions() {
        assert!(ln(-1.0).is_nan());
        assert!(ln(f64::NAN).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(-740.0) > 0.0);
    }
}
