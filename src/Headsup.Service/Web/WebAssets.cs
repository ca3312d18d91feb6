using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Headsup.Service.Web;

/// <summary>A page asset: its bytes (and gzip of them), content type and entity tag.</summary>
/// <param name="Content">The bytes.</param>
/// <param name="Gzip">The bytes gzipped (null when not worth it).</param>
/// <param name="ContentType">The Content-Type.</param>
/// <param name="ETag">A strong entity tag (SHA-256 prefix).</param>
public sealed record WebAsset(byte[] Content, byte[]? Gzip, string ContentType, string ETag);

/// <summary>
/// The worklist and study pages: plain HTML, CSS and JavaScript modules embedded in this assembly (no build step, no
/// CDN, nothing fetched from outside the service), read once at start.
/// </summary>
public static class WebAssets
{
    private const string Prefix = "web/";

    private static readonly Lazy<FrozenDictionary<string, WebAsset>> s_assets = new(Load);

    /// <summary>Every asset by its name (index.html, app.js …).</summary>
    public static FrozenDictionary<string, WebAsset> All => s_assets.Value;

    private static FrozenDictionary<string, WebAsset> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            raw[name[Prefix.Length..]] = buffer.ToArray();
        }

        // Every reference between assets carries the referenced file's hash (?v=…), so the browser may keep assets for
        // a year and a new build is fetched at once: index.html (never cached) names the versions, modules import them.
        var versions = raw.ToDictionary(a => a.Key, a => Convert.ToHexStringLower(SHA256.HashData(a.Value))[..12], StringComparer.Ordinal);
        var assets = new Dictionary<string, WebAsset>(StringComparer.Ordinal);
        foreach (var (name, bytes) in raw)
        {
            var content = bytes;
            if (name.EndsWith(".html", StringComparison.Ordinal) || name.EndsWith(".js", StringComparison.Ordinal))
            {
                var text = Encoding.UTF8.GetString(bytes);
                foreach (var (other, version) in versions)
                {
                    text = text.Replace("/assets/" + other + "\"", $"/assets/{other}?v={version}\"", StringComparison.Ordinal)
                               .Replace("'./" + other + "'", $"'./{other}?v={version}'", StringComparison.Ordinal);
                }

                content = Encoding.UTF8.GetBytes(text);
            }

            byte[]? gzip = null;
            if (content.Length > 1024)
            {
                using var packed = new MemoryStream();
                using (var z = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
                {
                    z.Write(content);
                }

                gzip = packed.ToArray();
            }

            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            assets[name] = new WebAsset(content, gzip, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..20] + "\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
