namespace Headsup.Phantom.Anatomy;

/// <summary>What the anatomy needs to know at one pixel: head-frame coordinates (mm) and the local noise values.</summary>
internal readonly record struct PixelSample(double U, double V, float GyriDistanceMm, float FineDistanceMm, float DepthNoise, float Texture, float DiploeNoise);
