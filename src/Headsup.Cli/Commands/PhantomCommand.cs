using System.CommandLine;

namespace Headsup.Cli.Commands;

/// <summary>`headsup phantom --out &lt;dir&gt; [--studies N] [--seed S] [--hemorrhage none|random|&lt;subtype&gt;]`.</summary>
internal static class PhantomCommand
{
    public static Command Create()
    {
        var output = SharedOptions.Out();
        var studies = new Option<int>("--studies") { Description = "Number of studies", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed → same files)", DefaultValueFactory = _ => 1 };
        var hemorrhage = new Option<string>("--hemorrhage") { Description = "none, random, epidural, intraparenchymal, intraventricular, subarachnoid or subdural", DefaultValueFactory = _ => "random" };
        hemorrhage.AcceptOnlyFromAmong("none", "random", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural");
        var command = new Command("phantom", "Write synthetic head CT studies (DICOM, labels, masks). NOT FOR CLINICAL USE.") { output, studies, seed, hemorrhage };
        command.SetAction((parse, cancellationToken) => Task.FromResult(PhantomJob.Run(parse.GetValue(output)!, parse.GetValue(studies), parse.GetValue(seed), parse.GetValue(hemorrhage)!, cancellationToken)));
        return command;
    }
}
