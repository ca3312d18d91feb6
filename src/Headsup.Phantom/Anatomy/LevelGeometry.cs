namespace Headsup.Phantom.Anatomy;

/// <summary>
/// The anatomy at one normalised level (0 skull base … 1 vertex): which structures exist there and how large they
/// are. Classifies head-frame points (u right, v posterior, mm) into tissues and gives their densities.
/// </summary>
internal sealed class LevelGeometry
{
    private const double Absent = 1e6;
    private readonly HeadParameters _h;
    private readonly double _t;
    private readonly double _a;
    private readonly double _b;

    // Intracranial compartments.
    private readonly double _cerA, _cerB, _cerCy, _cerFade;
    private readonly double _pfA, _pfB, _pfCy, _pfFade;
    private readonly double _tfA, _tfB, _tfCx, _tfCy, _tfFade;
    private readonly double _skullBase;

    // Ventricles and deep structures: capsule list (x0, y0, x1, y1, r) for both sides.
    private readonly List<(double X0, double Y0, double X1, double Y1, double R)> _ventricles = [];
    private readonly List<(double Cx, double Cy, double A, double B, double Angle)> _deepGray = [];
    private readonly List<(double X0, double Y0, double X1, double Y1, double R)> _cisterns = [];
    private readonly double _brainstemW;
    private readonly double _brainstemCy;
    private readonly double _callosum;
    private readonly double _choroid;
    private readonly double _orbits;
    private readonly double _sphenoid;
    private readonly double _mastoid;
    private readonly double _temporalis;

    public LevelGeometry(HeadParameters head, double level)
    {
        _h = head;
        _t = level;
        _a = head.IntracranialHalfWidthMm;
        _b = head.IntracranialHalfLengthMm;
        double t = level;

        // Cerebrum: widest at t = 0.45; a dome above, narrowing and moving forward below.
        if (t >= 0.45)
        {
            double s = Math.Sqrt(Math.Max(0.0004, 1 - Math.Pow((t - 0.45) / 0.57, 2)));
            _cerA = _a * s;
            _cerB = _b * s;
            _cerCy = 0;
            _cerFade = 0;
        }
        else
        {
            double q = Math.Pow(Math.Clamp((0.45 - t) / 0.35, 0, 1), 1.3);
            _cerA = _a * (1 - (0.30 * q));
            _cerB = _b * (1 - (0.42 * q));
            _cerCy = -14 * q;
            _cerFade = 80 * Shapes.SmoothStep(0.13, 0.03, t);
        }

        // Posterior fossa (cerebellum) below the tentorium.
        _pfA = 0.60 * _a * (0.65 + (0.35 * Shapes.SmoothStep(0.0, 0.14, t)));
        _pfB = 0.40 * _b * (0.65 + (0.35 * Shapes.SmoothStep(0.0, 0.14, t)));
        _pfCy = 0.45 * _b;
        _pfFade = 80 * Shapes.SmoothStep(0.30, 0.40, t);

        // Middle cranial fossae (temporal lobes).
        double tfWeight = Shapes.SmoothStep(0.03, 0.12, t) * Shapes.SmoothStep(0.38, 0.28, t);
        _tfA = 0.30 * _a;
        _tfB = 0.34 * _b;
        _tfCx = 0.56 * _a;
        _tfCy = -0.08 * _b;
        _tfFade = 80 * (1 - tfWeight);

        _skullBase = Shapes.SmoothStep(0.32, 0.10, t);
        double vs = head.VentricleScale;

        // Lateral ventricles: frontal horns, bodies, atria / occipital horns; third, temporal horns, fourth.
        double wFrontal = Shapes.Bump(t, 0.49, 0.085);
        double wBody = Shapes.Bump(t, 0.58, 0.09);
        double wAtrium = Shapes.Bump(t, 0.48, 0.085);
        double wThird = Shapes.Bump(t, 0.42, 0.06);
        double wTemporal = Shapes.Bump(t, 0.32, 0.05);
        double wFourth = Shapes.Bump(t, 0.21, 0.08);
        foreach (int side in new[] { -1, 1 })
        {
            AddVentricle(wFrontal, 3.3 * vs, r => (side * (1.2 + r), -11, side * (7 + r), -30));
            AddVentricle(wBody, 3.6 * vs, r => (side * (1.2 + r), -13, side * (7 + r), 17));
            AddVentricle(wAtrium, 4.6 * vs, _ => (side * 13.5, 14, side * 17.0, 34));
            AddVentricle(wAtrium, 2.4 * vs, _ => (side * 17.0, 34, side * 12.0, 50));
            AddVentricle(wTemporal, 1.4 * vs, _ => (side * 0.42 * _a, -14, side * 0.45 * _a, 2));
        }

        AddVentricle(wThird, 1.5 * vs, _ => (0, -10, 0, 8));
        AddVentricle(wFourth, 2.6 * vs, _ => (-3.5, _pfCy - 14, 3.5, _pfCy - 14));

        // Deep gray matter: caudate heads, lentiform nuclei, thalami.
        double wBasal = Shapes.Bump(t, 0.46, 0.09);
        double wThalamus = Shapes.Bump(t, 0.43, 0.07);
        foreach (int side in new[] { -1, 1 })
        {
            AddDeepGray(wBasal, side * (11 + (2 * vs)), -15, 4.5, 7, 0);
            AddDeepGray(wBasal, side * 21, -2, 5.5, 13, side * -0.3);
            AddDeepGray(wThalamus, side * 9, 9, 7, 10, 0);
        }

        // Cisterns and fissures (CSF): suprasellar, Sylvian fissures.
        double wSupra = Shapes.Bump(t, 0.30, 0.05);
        if (wSupra > 0.05)
        {
            _cisterns.Add((-5, -0.05 * _b - 10, 5, -0.05 * _b - 10, 7 * wSupra));
        }

        double wSylvian = Shapes.Bump(t, 0.42, 0.09);
        if (wSylvian > 0.1)
        {
            double r = (0.8 + (0.8 * (vs - 0.85))) * wSylvian;
            foreach (int side in new[] { -1, 1 })
            {
                _cisterns.Add((side * 0.50 * _a, -0.10 * _b, side * 0.68 * _a, -0.13 * _b, r));
                _cisterns.Add((side * 0.68 * _a, -0.13 * _b, side * 0.84 * _a, -0.05 * _b, r * 0.8));
            }
        }

        _brainstemW = Shapes.SmoothStep(0.04, 0.10, t) * Shapes.SmoothStep(0.37, 0.30, t);
        _brainstemCy = (0.16 * _b) - (20 * Shapes.SmoothStep(0.1, 0.36, t) * 0.3);
        _callosum = Shapes.Bump(t, 0.53, 0.16);
        _choroid = head.HasChoroidCalcification ? Shapes.Bump(t, 0.48, 0.04) : 0;
        _orbits = Shapes.SmoothStep(0.18, 0.10, t);
        _sphenoid = Shapes.Bump(t, 0.13, 0.08);
        _mastoid = Shapes.Bump(t, 0.12, 0.07);
        _temporalis = Shapes.SmoothStep(0.15, 0.3, t) * Shapes.SmoothStep(0.75, 0.55, t);
    }

    private void AddVentricle(double weight, double radius, Func<double, (double X0, double Y0, double X1, double Y1)> placement)
    {
        if (weight < 0.08)
        {
            return;
        }

        double r = radius * Math.Sqrt(weight);
        var (x0, y0, x1, y1) = placement(r);
        _ventricles.Add((x0, y0, x1, y1, r));
    }

    private void AddDeepGray(double weight, double cx, double cy, double a, double b, double angle)
    {
        if (weight < 0.2)
        {
            return;
        }

        double s = Math.Sqrt(weight);
        _deepGray.Add((cx, cy, a * s, b * s, angle));
    }

    /// <summary>Signed distance to the intracranial space (negative inside) and whether the point is infratentorial.</summary>
    private double Intracranial(double u, double v, out bool cerebellum)
    {
        double cer = Shapes.Ellipse(u, v - _cerCy, _cerA, _cerB) + _cerFade;
        double pf = Shapes.Ellipse(u, v - _pfCy, _pfA, _pfB) + _pfFade;
        double tf = Math.Min(
            Shapes.Ellipse(u - _tfCx, v - _tfCy, _tfA, _tfB),
            Shapes.Ellipse(u + _tfCx, v - _tfCy, _tfA, _tfB)) + _tfFade;
        cerebellum = pf < cer - 3 && pf < tf && _t < 0.40;
        return Shapes.SmoothMin(Shapes.SmoothMin(cer, pf, 8), tf, 6);
    }

    public TissueClass Classify(in PixelSample p)
    {
        double u = p.U, v = p.V;
        double dIc = Intracranial(u, v, out bool cerebellum);
        double theta = Math.Atan2(v, u);
        double skull = (_h.SkullThicknessMm * (0.72 + (0.4 * Math.Abs(Math.Sin(theta))))) + (10 * _skullBase);
        double dOuterSkull = dIc - skull;
        if (_skullBase > 0)
        {
            double baseEllipse = Shapes.Ellipse(u, v, (_a + _h.SkullThicknessMm) * 0.98, (_b + _h.SkullThicknessMm) * 0.97);
            dOuterSkull = Math.Min(dOuterSkull, baseEllipse + ((1 - _skullBase) * 200));
        }

        double scalp = _h.ScalpThicknessMm + (8 * _skullBase) + (10 * _skullBase * Math.Max(0, v / _b));
        double dSkin = dOuterSkull - scalp;

        if (dSkin >= 0)
        {
            return _h.HasHeadHolder && v > 0.2 * _b && dSkin > 9 && dSkin < 12.5 ? TissueClass.Holder : TissueClass.Air;
        }

        if (dOuterSkull >= 0)
        {
            if (-dSkin < 1.8)
            {
                return TissueClass.Skin;
            }

            double lateral = Math.Max(0, (Math.Abs(u) / _a) - 0.55) / 0.45 * Math.Max(0, 1 - Math.Abs((v + 0.1 * _b) / (0.55 * _b)));
            double muscle = (7 * lateral * _temporalis) + (12 * _skullBase * Math.Max(0, v / _b));
            return dOuterSkull < muscle ? TissueClass.Muscle : TissueClass.Fat;
        }

        if (dIc >= 0)
        {
            if (_orbits > 0)
            {
                double globe = Math.Min(Shapes.Ellipse(u - 31, v + _b - 2, 11, 12), Shapes.Ellipse(u + 31, v + _b - 2, 11, 12));
                if (globe < 7 * _orbits)
                {
                    return TissueClass.Orbit;
                }
            }

            if (_skullBase > 0.2 && v < -0.62 * _b && dIc > 5 && -dOuterSkull > 3)
            {
                return TissueClass.Orbit;
            }

            if (_sphenoid > 0.1 && Shapes.Ellipse(u, v + (0.38 * _b), 12 * _sphenoid, 9 * _sphenoid) < 0 && dIc > 1.2)
            {
                return TissueClass.SinusAir;
            }

            if (_mastoid > 0.1 && Math.Min(Shapes.Ellipse(u - (0.86 * _a), v - (0.18 * _b), 8, 10), Shapes.Ellipse(u + (0.86 * _a), v - (0.18 * _b), 8, 10)) < 0
                && p.DiploeNoise > -0.15 && dIc > 1.2 && dOuterSkull < -1.2)
            {
                return TissueClass.SinusAir;
            }

            return dIc < 1.6 || -dOuterSkull < 1.8 ? TissueClass.CorticalBone : TissueClass.Diploe;
        }

        return ClassifyIntracranial(p, -dIc, cerebellum);
    }

    private TissueClass ClassifyIntracranial(in PixelSample p, double depth, bool cerebellum)
    {
        double u = p.U, v = p.V;

        if (!cerebellum && _t > 0.12)
        {
            bool underCallosum = _callosum > 0.05 && Shapes.Ellipse(u, v + 3, 21 * _callosum, 40 * _callosum) < 0;
            double fissure = 0.5 + (_h.SulcusHalfWidthMm * 1.1);
            if (!underCallosum && Math.Abs(u) < fissure)
            {
                return Math.Abs(u) < 0.5 ? TissueClass.Falx : TissueClass.Csf;
            }
        }

        if (depth < _h.CsfRimMm)
        {
            return TissueClass.Csf;
        }

        foreach (var (x0, y0, x1, y1, r) in _ventricles)
        {
            if (Shapes.Capsule(u, v, x0, y0, x1, y1, r) < 0)
            {
                if (_choroid > 0.1 && Math.Abs(Math.Abs(u) - 15.5) < 2 && Math.Abs(v - 25) < 2.2)
                {
                    return TissueClass.Calcification;
                }

                return TissueClass.Ventricle;
            }
        }

        foreach (var (x0, y0, x1, y1, r) in _cisterns)
        {
            if (Shapes.Capsule(u, v, x0, y0, x1, y1, r) < 0)
            {
                return TissueClass.Csf;
            }
        }

        if (_brainstemW > 0.05)
        {
            double bs = Shapes.Ellipse(u, v - _brainstemCy, 12.5 * _brainstemW, 11 * _brainstemW);
            if (bs < 0)
            {
                return TissueClass.WhiteMatter;
            }

            if (bs < 1.4 && v < _brainstemCy + 4)
            {
                return TissueClass.Csf;
            }
        }

        foreach (var (cx, cy, a, b, angle) in _deepGray)
        {
            if (Shapes.Ellipse(u, v, cx, cy, a, b, angle) < 0)
            {
                return TissueClass.GrayMatter;
            }
        }

        double sulcusDepth = cerebellum ? 14 : 7 + (6 * (p.DepthNoise + 1));
        double line = cerebellum ? p.FineDistanceMm : p.GyriDistanceMm;
        double halfWidth = cerebellum ? 0.35 + (0.3 * _h.SulcusHalfWidthMm) : _h.SulcusHalfWidthMm;
        double below = Math.Max(0, depth - _h.CsfRimMm - sulcusDepth);
        double taper = Math.Clamp((depth - _h.CsfRimMm) / sulcusDepth, 0, 1);
        double sulcus = Math.Sqrt((line * line) + (below * below));
        double width = halfWidth * (1 - (0.55 * taper));
        if (sulcus < width)
        {
            return TissueClass.Csf;
        }

        double grayThickness = cerebellum ? 5.0 : 2.6;
        if (cerebellum && depth > 16)
        {
            return TissueClass.WhiteMatter;
        }

        return Math.Min(depth - _h.CsfRimMm, sulcus - width) < grayThickness ? TissueClass.GrayMatter : TissueClass.WhiteMatter;
    }

    public double Density(TissueClass tissue, in PixelSample p) => tissue switch
    {
        TissueClass.Air => -1000,
        TissueClass.Holder => 120,
        TissueClass.Skin => _h.SkinHu,
        TissueClass.Fat => _h.FatHu + (8 * p.Texture),
        TissueClass.Muscle => _h.MuscleHu + (3 * p.Texture),
        TissueClass.CorticalBone => _h.CorticalBoneHu + (80 * p.DiploeNoise),
        TissueClass.Diploe => _h.DiploeHu + (180 * p.DiploeNoise),
        TissueClass.SinusAir => -950,
        TissueClass.Orbit => OrbitDensity(p),
        TissueClass.Csf => _h.CsfHu,
        TissueClass.Ventricle => _h.CsfHu - 1,
        TissueClass.GrayMatter => _h.GrayMatterHu + (1.5 * p.Texture),
        TissueClass.WhiteMatter => _h.WhiteMatterHu + (1.5 * p.Texture),
        TissueClass.Falx => 62,
        TissueClass.Calcification => 220,
        _ => 0,
    };

    private double OrbitDensity(in PixelSample p)
    {
        double globe = Math.Min(Shapes.Ellipse(p.U - 31, p.V + _b - 2, 11, 12), Shapes.Ellipse(p.U + 31, p.V + _b - 2, 11, 12));
        return globe < 0 ? 12 : -85 + (6 * p.Texture);
    }
}
