using System.Security.Cryptography;
using System.Text;

namespace Headsup.Service;

/// <summary>What logs say instead of a StudyInstanceUID: a short one-way hash (no patient data in logs).</summary>
public static class StudyHash
{
    /// <summary>12 hex digits of SHA-256 of the UID.</summary>
    public static string Of(string studyInstanceUid) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("headsup-study:" + studyInstanceUid)))[..12];
}
