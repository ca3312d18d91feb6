namespace Headsup.Dicom.Codecs.JpegLs;

/// <summary>What a JPEG-LS header declares (read by CharLS).</summary>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="BitsPerSample">Sample precision.</param>
/// <param name="Components">Component count.</param>
/// <param name="NearLossless">NEAR parameter of the first component's scan: 0 is lossless, otherwise the maximum error.</param>
public readonly record struct JpegLsStreamInfo(int Rows, int Columns, int BitsPerSample, int Components, int NearLossless);
