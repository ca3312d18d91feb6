using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Core.IO;

namespace Headsup.Training.Search;

/// <summary>An AutoML search's leaderboard as files: leaderboard.csv (one row per trial) and leaderboard.json (best and trials).</summary>
public static class Leaderboard
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes leaderboard.csv and leaderboard.json into <paramref name="outDir"/>.</summary>
    public static IReadOnlyList<string> Write(string outDir, AutoMlResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder("trial,bracket,rung,epochs,architecture,recipe,size,learning_rate,augmentation,validation_ap,validation_auc,seconds,stopped_on_time\n");
        foreach (var t in result.Leaderboard)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{t.Id},{t.Bracket},{t.Rung},{t.Epochs},{t.Config.Architecture},{t.Config.Recipe},{t.Config.Size},{t.Config.LearningRate:R},{t.Config.Augmentation:R},{t.ValidationAp:R},{t.ValidationAuc:R},{t.Seconds:0.0},{(t.StoppedOnTime ? "true" : "false")}\n");
        }

        var json = JsonSerializer.Serialize(new { best = result.Best, trials = result.Leaderboard, elapsed_seconds = result.Elapsed.TotalSeconds }, s_json);
        return AtomicFile.WriteAll(outDir, [("leaderboard.csv", Encoding.UTF8.GetBytes(csv.ToString())), ("leaderboard.json", Encoding.UTF8.GetBytes(json))]);
    }
}
