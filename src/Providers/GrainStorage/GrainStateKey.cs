namespace UserData.Providers.GrainStorage;

/// <summary>
/// Where one grain state is stored. The ServiceId is part of the key as in Orleans' own providers, so services that
/// share a table or file (staging and production, test clusters) never see each other's state, while every cluster
/// of one service (ClusterId changes with each deployment) does.
/// </summary>
/// <param name="ServiceId">Orleans' <c>ClusterOptions.ServiceId</c>.</param>
/// <param name="GrainId">The grain id as text (<c>GrainId.ToString()</c>, e.g. <c>emailclaim/3f2a...</c>).</param>
/// <param name="StateName">The state name (the <c>PersistentState</c> attribute's name).</param>
internal readonly record struct GrainStateKey(string ServiceId, string GrainId, string StateName);
