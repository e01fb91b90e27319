using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations;

/// <summary>
/// The activity context handed to activity classes from a Functions activity trigger, which binds the input but
/// not the SDK context. Activities therefore take everything they need from their input.
/// </summary>
public sealed class FunctionActivityContext(string name) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId => "";
}
