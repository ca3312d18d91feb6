namespace Headsup.Phantom.Anatomy;

/// <summary>Signed distance functions (negative inside, millimetres) and blending used to draw anatomy.</summary>
internal static class Shapes
{
    /// <summary>Approximate signed distance to an axis-aligned ellipse centred at the origin.</summary>
    public static double Ellipse(double x, double y, double a, double b)
    {
        double k0 = Math.Sqrt(((x / a) * (x / a)) + ((y / b) * (y / b)));
        double k1 = Math.Sqrt(((x / (a * a)) * (x / (a * a))) + ((y / (b * b)) * (y / (b * b))));
        return k1 < 1e-9 ? -Math.Min(a, b) : k0 * (k0 - 1) / k1;
    }

    /// <summary>Signed distance to a rotated ellipse.</summary>
    public static double Ellipse(double x, double y, double cx, double cy, double a, double b, double angleRad)
    {
        double dx = x - cx;
        double dy = y - cy;
        double c = Math.Cos(angleRad);
        double s = Math.Sin(angleRad);
        return Ellipse((c * dx) + (s * dy), (-s * dx) + (c * dy), a, b);
    }

    /// <summary>Signed distance to a capsule (segment p0–p1 with radius r).</summary>
    public static double Capsule(double x, double y, double x0, double y0, double x1, double y1, double r)
    {
        double px = x - x0, py = y - y0, bx = x1 - x0, by = y1 - y0;
        double h = Math.Clamp(((px * bx) + (py * by)) / ((bx * bx) + (by * by)), 0, 1);
        double dx = px - (bx * h), dy = py - (by * h);
        return Math.Sqrt((dx * dx) + (dy * dy)) - r;
    }

    /// <summary>Smooth minimum (union) with blending radius k.</summary>
    public static double SmoothMin(double a, double b, double k)
    {
        double h = Math.Max(k - Math.Abs(a - b), 0) / k;
        return Math.Min(a, b) - (h * h * k * 0.25);
    }

    /// <summary>Hermite smoothstep from e0 to e1 (e0 may exceed e1 for a falling edge).</summary>
    public static double SmoothStep(double e0, double e1, double x)
    {
        double t = Math.Clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - (2 * t));
    }

    /// <summary>A smooth bump: 1 at centre, 0 beyond centre ± halfWidth.</summary>
    public static double Bump(double x, double centre, double halfWidth)
    {
        double d = Math.Abs(x - centre) / halfWidth;
        return d >= 1 ? 0 : SmoothStep(1, 0, d);
    }
}
